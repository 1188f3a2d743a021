"""The web app keeps no tables of its own."""
