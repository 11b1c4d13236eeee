"""Bots: .gbai packages, their configuration, conversations, messages and memory."""
