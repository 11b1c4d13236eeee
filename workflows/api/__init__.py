"""The workflows REST API: start, list, status, cancel, resume; approval requests."""
