"""Parse General Bots BASIC source into a :class:`~basic.nodes.Program`.

Stages, each in its own module:

1. :mod:`.textblocks` cuts out the bodies of text blocks (keywords whose spec has
   ``block_text``, e.g. BEGIN TALK ... END TALK), so prose is never tokenised as code.
2. :mod:`.engine` runs the LALR(1) table that lark builds from ``basic/grammar.lark`` over the
   tokens of :mod:`.lexer` (comments, continuation lines, soft keywords). The callbacks of
   :mod:`.expressions` and :mod:`.linebuilder` build nodes and one item per logical line as the
   parser reduces, so no parse tree is built.
3. :mod:`.blocks` (with :mod:`.frames`, :mod:`.statements` and :mod:`.keywords`) nests the line
   items into blocks, matches keyword statements against the registry (:mod:`basic.syntax`)
   and reports misplaced or unclosed blocks.

What the parser derives from a registry is computed once per registry version
(:mod:`.tables`). Every failure is raised as :class:`~basic.errors.BasicSyntaxError` with file,
line and column (:mod:`.errors` words the parser's refusals).
"""

from __future__ import annotations

import gc

from basic import nodes as n
from basic.registry import KeywordRegistry
from basic.registry import registry as default_registry
from basic.syntax import RawText

from .blocks import Assembler
from .context import Context
from .engine import engine_for
from .tables import tables_for
from .textblocks import cut_text_blocks

__all__ = ["parse"]


def parse(source: str, *, file: str = "<script>", registry: KeywordRegistry | None = None) -> n.Program:
    """Parse a whole script; raise :class:`~basic.errors.BasicSyntaxError` on the first problem."""
    registry = default_registry if registry is None else registry
    tables = tables_for(registry)
    engine = engine_for(tables.multiword)
    lines = source.split("\n")
    # A parse makes many small objects and hardly any garbage cycles: the cyclic collector
    # would only re-scan them (about a tenth of the parse time), so it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        text, text_blocks = cut_text_blocks(lines, tables, file)
        ctx = Context(file, tables, RawText(lines), engine)
        items = engine.run(ctx, text, "start")
        return Assembler(ctx, items, text_blocks).program()
    finally:
        if collecting:
            gc.enable()
