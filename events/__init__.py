"""The event bus: events, subscriptions and timers."""
