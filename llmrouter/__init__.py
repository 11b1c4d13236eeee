"""LLM providers and the router that picks a model per request."""
