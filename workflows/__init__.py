"""Durable multi-agent workflows: executions, steps and the engine."""
