"""Built-in functions of General Bots BASIC (DIALECT.md §2.3), one module per family.

``BUILTINS`` maps every upper-case name and alias to its :class:`Builtin`; the VM calls them
through :func:`call_builtin`. Importing this package registers every family.
"""

from basic.builtins import (  # noqa: F401  (imported to register their functions)
    aggregates,
    checks,
    dates,
    failures,
    formatting,
    lists,
    numbers,
    text,
)
from basic.builtins.registry import (
    BUILTINS,
    CATEGORIES,
    Builtin,
    BuiltinContext,
    builtin,
    call_builtin,
    unknown_function_message,
)

__all__ = [
    "BUILTINS",
    "CATEGORIES",
    "Builtin",
    "BuiltinContext",
    "builtin",
    "call_builtin",
    "unknown_function_message",
]
