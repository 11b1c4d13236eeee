"""The web chat: a page per bot at ``/chat/<bot>/`` and its WebSocket (bots/consumers.py)."""
