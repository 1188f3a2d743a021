"""The REST API (Django Ninja): routers, schemas, authentication and JSON errors."""
