"""Personal access tokens for the REST API: stored hashed, one person in one organisation."""
