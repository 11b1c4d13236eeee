"""The embedded-mode Celery broker transport.

kombu's filesystem transport polls its folder once a second by default, which adds up to a second
to every task. Passing ``polling_interval`` through ``broker_transport_options`` crashes kombu 5.7,
so the interval is set the supported way: as the transport class attribute.
"""

from kombu.transport import filesystem


class FilesystemTransport(filesystem.Transport):
    """kombu's filesystem transport, polled every 10 ms (about 11 ms per task round trip)."""

    polling_interval = 0.01
