"""Sharing a team's draft: review requests and their answers, dependencies, launches."""
