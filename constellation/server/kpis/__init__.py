"""KPIs: health measures with healthy ranges, and their readings."""
