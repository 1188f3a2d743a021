"""Data sources: key results and KPIs that update themselves from where the number lives."""
