"""Placeholder until this command module is written."""
