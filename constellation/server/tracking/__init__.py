"""Check-ins on key results."""
