"""Sub-commands of ``python manage.py gb``.

Each sub-command is a module with ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``handle(command, options)``; add a module to :data:`SUBCOMMANDS` to add a sub-command.
``handle`` writes through ``command.stdout``/``command.stderr`` and raises ``CommandError`` (with
``returncode``) to fail.
"""

from bots.cli import chat, check, docs, packages, run, setup, sync

SUBCOMMANDS = [packages, sync, setup, check, run, chat, docs]
