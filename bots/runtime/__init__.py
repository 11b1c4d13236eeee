"""The conversation runtime: durable dialog runs, their host and journal, and the message loop.

``services`` holds the writes (posting a message, processing a conversation's queue, firing due
waits); ``runs`` starts and resumes one script run; ``host`` is what a running script talks
through; ``answer`` is the seam where an LLM provider answers messages no dialog is waiting for.
"""
