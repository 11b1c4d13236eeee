"""The bots REST API."""
