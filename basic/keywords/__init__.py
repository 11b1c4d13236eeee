"""Keyword specs that belong to the language itself, registered into the shared registry.

Importing this package registers them into :data:`basic.registry.registry`; other registries
(tests, tools) call :func:`register_core`.
"""

from __future__ import annotations

from basic.keywords.core import CORE_SPECS
from basic.registry import KeywordRegistry, registry


def register_core(target: KeywordRegistry) -> KeywordRegistry:
    target.register_all(CORE_SPECS)
    return target


register_core(registry)

__all__ = ["CORE_SPECS", "register_core"]
