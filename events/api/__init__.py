"""The events REST API: publish and read events; webhook subscriptions and their deliveries."""
