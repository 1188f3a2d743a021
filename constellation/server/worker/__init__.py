"""The job worker's schedule and the jobs that read whole plans (team digests)."""
