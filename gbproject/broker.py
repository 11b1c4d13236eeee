"""The embedded-mode Celery broker transport.

kombu's filesystem transport polls its folder once a second by default, which adds up to a second
to every task. Passing ``polling_interval`` through ``broker_transport_options`` crashes kombu 5.7,
so the interval is set the supported way: as the transport class attribute.

kombu also writes a message file in place, under its final name: a worker polling the folder can
take the file before the producer has written it, read nothing, and die ("Unrecoverable error:
JSONDecodeError"). Messages are written under a hidden name here and renamed when complete.
Readers claim a message the same way: kombu moves it to the system temp folder, which is a copy
when that folder is on another file system, and two workers can then both copy and read a
half-written file; here a worker renames it to a hidden name in the same folder (atomic: only one
rename succeeds), reads it and deletes it.
"""

import os
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads


class FilesystemChannel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put a message on ``queue`` atomically: readers only ever see complete files."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")  # matches no queue
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


    def _get(self, queue):
        """Take the oldest message of ``queue``; a file another worker claimed first is skipped."""
        wanted = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            source = os.path.join(self.data_folder_in, filename)
            claimed = os.path.join(self.data_folder_in, f".claimed-{os.getpid()}-{filename}")
            try:
                os.rename(source, claimed)
            except OSError:
                continue  # another worker took it
            try:
                with open(claimed, "rb") as handle:
                    payload = handle.read()
                os.remove(claimed)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            return loads(bytes_to_str(payload))
        raise Empty()


class FilesystemTransport(filesystem.Transport):
    """kombu's filesystem transport, polled every 10 ms (about 11 ms per task round trip)."""

    Channel = FilesystemChannel
    polling_interval = 0.01
