"""The language reference (``docs/reference/basic-language.md``), generated.

The overview below is written by hand and describes what :mod:`basic.parser` accepts; the
keyword sections come from the registry's specs and the function table from the built-ins, so
the reference cannot drift from the code. The output is sorted and therefore deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .registry import KeywordRegistry, KeywordSpec
from .syntax import compile_form, render_form

OVERVIEW = """\
# General Bots BASIC language reference

This file is generated from the keyword registry and the built-in functions; do not edit it by
hand (`python manage.py gb docs` writes it).

## Syntax

A script is a sequence of lines, one statement per line. Keywords and variable names are
case-insensitive (`TALK`, `talk` and `Talk` are the same; so are `name` and `NAME`).

**Comments.** `'` starts a comment, at the start of a line or after any statement (`END IF`
and `NEXT` included). `REM` starts a comment when it is a whole word (`REMAINING = 3` is an
assignment). `//` starts a comment too.

**Continuing a line.** A line that ends with a comma continues on the next one, and so does a
line with an open `(`, `[` or `{`.

**Values.** Strings are written in double quotes, with the escapes `\\"`, `\\\\`, `\\n` and `\\t`.
Numbers are integers (`42`) or decimals (`2.5`, `1e3`). `TRUE` and `FALSE` are booleans. Lists
are written `[1, 2, 3]`; maps `#{name: "Ana", age: 30}`, `{"name": "Ana"}`, `{}` or
`NEW OBJECT`. Fields are read with `order.total` and elements with `items[0]`; methods are called
as `items.PUSH(x)`. Assigning a list or map copies it. `PUSH items, x` and `items.PUSH(x)` change
the list in place, while `copy = PUSH(items, x)` returns a new list and leaves `items` alone.
Keywords that store into a variable (`HEAR`, `PUSH`) also take a field or a constant element:
`HEAR order.qty`, `PUSH order.lines, line`.

**Operators**, from the loosest to the tightest binding:

| Operators | Meaning |
|---|---|
| `OR` | either is true |
| `AND` | both are true |
| `NOT x` | negation |
| `=` `==` `<>` `!=` `<` `>` `<=` `>=` `LIKE` `IN` `NOT IN` | comparison, pattern, membership |
| `&` | text concatenation |
| `+` `-` | addition (and concatenation when either side is text), subtraction |
| `MOD` `\\` | remainder, integer division |
| `*` `/` | multiplication, division |
| `-x` | negation |
| `^` | power (left to right: `2 ^ 3 ^ 2` is 64; `-2 ^ 2` is -4) |

`=` compares inside an expression and assigns at the start of a statement: `x = a = b` stores
whether `a` equals `b`.

**Statements.**

{statements}

PARAM and DESCRIPTION lines form the script's tool header: they are not executed. Types map to
JSON Schema as integer/int/number → integer, float/double/decimal → number, boolean/bool →
boolean, array/list → array, object/map → object, anything else → string (`date` adds the
date format).

**Keyword statements.** Every other statement is a keyword from the registry below. A keyword
is followed by its arguments as its forms show: `name` is any expression, `name, ...` a list
of expressions, `name...` the rest of the line as text, `[...]` an optional part; words in
capitals are written as shown. A line that starts with one of a keyword's clause words
continues the statement above it:

```
result = LLM "Summarise the complaint"
    WITH OPTIMIZE FOR "quality"
```

Keywords with a block own the lines up to their END line (`ON EVENT "x" DO` ... `END ON`).
Text blocks (`BEGIN TALK` ... `END TALK`) keep their lines as written, blank lines and
apostrophes included, and fill in `${expression}` holes.
"""


_STATEMENTS = (
    (
        "`name = value`",
        "assignment; also `obj.field = value` and `list[i] = value`",
    ),
    (
        "`name = KEYWORD args`",
        'store what a keyword returns (`answer = LLM "..."`)',
    ),
    (
        "`KEYWORD(args)` inside an expression",
        'a keyword used as a value (`"Hi " + GET BOT MEMORY("name")`; `GET_BOT_MEMORY("name")` too)',
    ),
    (
        "`IF c THEN` ... `ELSEIF c THEN` / `ELSE IF c THEN` ... `ELSE` ... `END IF`",
        "branches",
    ),
    (
        "`IF c THEN statement [ELSE statement]`",
        "one-line IF",
    ),
    (
        "`SELECT CASE x` ... `CASE 1, 2` / `CASE 1 TO 5` / `CASE IS > 3` ... `CASE ELSE` ... `END SELECT`",
        "choice; values are compared as values",
    ),
    (
        '`SWITCH x` ... `CASE "a", "b"` ... `DEFAULT` ... `END SWITCH`',
        "the same choice",
    ),
    (
        "`FOR i = a TO b [STEP n]` ... `NEXT [i]`",
        "counted loop",
    ),
    (
        "`FOR EACH x IN list` ... `NEXT [x]`",
        "loop over a list",
    ),
    (
        "`WHILE c` ... `WEND`",
        "loop while c is true",
    ),
    (
        "`DO WHILE c` / `DO UNTIL c` ... `LOOP`",
        "test before each pass",
    ),
    (
        "`DO` ... `LOOP WHILE c` / `LOOP UNTIL c`",
        "test after each pass; `DO` ... `LOOP` loops until `EXIT DO`",
    ),
    (
        "`EXIT FOR` / `EXIT DO` / `EXIT WHILE` / `EXIT SUB` / `EXIT FUNCTION`",
        "leave the innermost such block",
    ),
    (
        "`SUB name(a, b)` ... `END SUB`, `FUNCTION name(a)` ... `RETURN v` ... `END FUNCTION`",
        "procedures, defined at the top level",
    ),
    (
        "`CALL name(args)`, `name(args)`, `name args`",
        "call a procedure; `CALL` of a name not defined in the script runs `name.bas` of the same package",
    ),
    (
        "`RETURN [value]`",
        "return from a procedure",
    ),
    (
        "`label:` and `GOTO label`",
        "jump inside the script or the current procedure",
    ),
    (
        "`ON ERROR RESUME NEXT`, `ON ERROR GOTO label`, `ON ERROR GOTO 0`",
        "error handling",
    ),
    (
        "`WITH obj` ... `field = value` / `.field = value` ... `END WITH`",
        "fill the fields of a map",
    ),
    (
        '`PARAM name AS type [LIKE "example"] [ENUM ["a", "b"]] DESCRIPTION "text"`',
        "a tool argument (header)",
    ),
    (
        '`DESCRIPTION "text"`',
        "the tool's description (header)",
    ),
)


def _statements_table() -> str:
    rows = ["| Form | Meaning |", "|---|---|"]
    rows += [f"| {form} | {meaning} |" for form, meaning in _STATEMENTS]
    return "\n".join(rows)


def _forms(spec: KeywordSpec) -> list[str]:
    return [render_form(spec.key, compile_form(template)) for template in (spec.forms or ("",))]


def _keyword_section(spec: KeywordSpec) -> list[str]:
    lines = [f"### {spec.key}", ""]
    lines.append(spec.summary.strip())
    lines.append("")
    lines.append("Forms:")
    lines.append("")
    for form in _forms(spec):
        lines.append(f"- `{form}`")
    if spec.block_end:
        kind = "text block" if spec.block_text else "block"
        lines.append(f"- opens a {kind} closed by `{' '.join(spec.block_end.upper().split())}`")
    for section in spec.sections:
        lines.append(f"- inside it, `{section.upper()}` starts a section")
    notes = []
    if spec.on_resume is not None:
        notes.append("may pause the run until it can continue (the run is saved meanwhile)")
    if spec.effect:
        notes.append("journaled: a resumed run never repeats it once it has completed")
    if notes:
        lines.append("")
        lines.append("Note: " + "; ".join(notes) + ".")
    if spec.example.strip():
        lines += ["", "Example:", "", "```basic", spec.example.strip(), "```"]
    lines.append("")
    return lines


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def render_language_reference(registry: KeywordRegistry, builtins: Mapping[str, Any]) -> str:
    """The whole reference as Markdown."""
    out = [OVERVIEW.replace("{statements}", _statements_table()), "## Keywords", ""]
    by_category: dict[str, list[KeywordSpec]] = {}
    for spec in registry:
        by_category.setdefault(spec.category, []).append(spec)
    for category in sorted(by_category):
        out += [f"### {category}", ""]
        for spec in sorted(by_category[category], key=lambda s: s.key):
            section = _keyword_section(spec)
            section[0] = "#" + section[0]
            out += section
    out += ["## Built-in functions", ""]
    functions = _unique_builtins(builtins.values())
    by_fn_category: dict[str, list[Any]] = {}
    for function in functions:
        by_fn_category.setdefault(str(getattr(function, "category", "") or "General"), []).append(function)
    for category in sorted(by_fn_category):
        out += [f"### {category}", "", "| Function | Also | Summary | Example |", "|---|---|---|---|"]
        for function in sorted(by_fn_category[category], key=lambda f: f.name.upper()):
            aliases = ", ".join(sorted(str(alias).upper() for alias in (function.aliases or ())))
            signature = getattr(function, "signature", "") or function.name.upper()
            cells = [
                f"`{_cell(signature)}`",
                _cell(aliases),
                _cell(function.summary),
                f"`{_cell(function.example)}`",
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _unique_builtins(values: Iterable[Any]) -> list[Any]:
    """One entry per function even when the mapping lists it under each alias."""
    seen: dict[str, Any] = {}
    for function in values:
        seen.setdefault(str(function.name).upper(), function)
    return list(seen.values())
