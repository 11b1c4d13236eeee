"""Text blocks (BEGIN TALK ... END TALK): bodies kept as written, with ``${expr}`` holes.

Their bodies are cut out of the source before tokenising, line by line, so prose is never read
as code; the blanked lines keep every other line's number. The holes are parsed later, as
expressions, by the block pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from basic.errors import BasicSyntaxError

from .tables import Tables

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(slots=True)
class TextBlock:
    text: str
    first_line: int  # source line of the body's first line


def leading_words(line: str) -> list[str]:
    """The upper-case words of a line before any string or ``'`` comment."""
    return [word.upper() for word in WORD.findall(line.split("'", 1)[0].split('"', 1)[0])]


def cut_text_blocks(lines: list[str], tables: Tables, file: str) -> tuple[str, dict[int, TextBlock]]:
    """Blank the bodies of text blocks (keeping line numbers) and return them by opener line."""
    text = "\n".join(lines)
    if tables.text_block_start is None or tables.text_block_start.search(text) is None:
        return text, {}
    blocks: dict[int, TextBlock] = {}
    starts = {phrase[0] for phrase, _ in tables.text_blocks}
    out = list(lines)
    index = 0
    while index < len(lines):
        stripped = lines[index].lstrip()
        first = WORD.match(stripped)
        if first is not None and first.group().upper() in starts:
            words = leading_words(stripped)
            for phrase, spec in tables.text_blocks:
                if tuple(words[: len(phrase)]) != phrase:
                    continue
                end_words = spec.block_end.split()  # type: ignore[union-attr]
                end = index + 1
                while end < len(lines) and leading_words(lines[end]) != end_words:
                    end += 1
                if end == len(lines):
                    column = len(lines[index]) - len(stripped) + 1
                    raise BasicSyntaxError(
                        f"{spec.key} at line {index + 1} has no {spec.block_end}",
                        file=file,
                        line=index + 1,
                        column=column,
                    )
                blocks[index + 1] = TextBlock("\n".join(lines[index + 1 : end]), index + 2)
                for body in range(index + 1, end):
                    out[body] = ""
                index = end
                break
        index += 1
    return "\n".join(out), blocks


def hole_end(text: str, start: int) -> int:
    """Index of the ``}`` closing a ``${`` hole, skipping strings and nested braces; -1 if none."""
    depth = 0
    position = start
    in_string = False
    while position < len(text):
        char = text[position]
        if in_string:
            if char == "\\":
                position += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return position
            depth -= 1
        elif char == "\n":
            return -1
        position += 1
    return -1
