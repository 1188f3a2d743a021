"""The web application: pages rendered on the server, with htmx."""
