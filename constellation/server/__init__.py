"""The Constellation server: a Django project whose apps follow the domain's areas."""
