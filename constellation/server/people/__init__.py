"""People of an organisation: invitations, roles and deactivation."""
