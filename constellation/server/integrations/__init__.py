"""What goes out: signed webhooks (Standard Webhooks) and Slack / Microsoft Teams channels."""
