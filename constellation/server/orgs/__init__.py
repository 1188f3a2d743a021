"""Organisations (the tenants), teams (the org chart), people and their roles."""
