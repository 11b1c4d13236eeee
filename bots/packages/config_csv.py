"""The config.csv parser (DIALECT.md §1.2).

Rows are ``name,value``; only the first comma splits, so values keep their commas. ``#`` lines
are comments, a line of bare commas is a blank separator, and the ``name,value`` header is
optional. Keys are kept as written (kebab-case and older Title Case both occur).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bots.packages.problems import Problem, read_text

PARAM_PREFIX = "param-"
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True, slots=True)
class ConfigRow:
    key: str
    value: str
    line: int


@dataclass(slots=True)
class ConfigFile:
    path: Path
    rows: list[ConfigRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, str]:
        """Key to value; a key given twice keeps its last value, as the server's upsert does."""
        return {row.key: row.value for row in self.rows}


def parse_config_text(text: str, path: Path) -> ConfigFile:
    result = ConfigFile(path=path)
    seen_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or not line.replace(",", "").strip():
            continue
        if "," not in line:
            message = f"expected 'name,value' but found {line[:60]!r}; add a comma after the name"
            result.problems.append(Problem(path, message, number))
            continue
        key, value = (part.strip() for part in line.split(",", 1))
        if not seen_data and key.lower() == "name" and value.lower() == "value":
            seen_data = True
            continue
        seen_data = True
        if not key:
            result.problems.append(Problem(path, "the row has a value but no name before the comma", number))
            continue
        result.rows.append(ConfigRow(key=key, value=value, line=number))
    return result


def parse_config_file(path: Path) -> ConfigFile:
    text, problem = read_text(path)
    if problem is not None:
        return ConfigFile(path=path, problems=[problem])
    return parse_config_text(text or "", path)


def param_value(text: str) -> int | float | bool | str:
    """Convert a ``param-*`` value the way the runtime sees it: int, float, true/false, else text."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    if _INT.fullmatch(stripped):
        return int(stripped)
    if _FLOAT.fullmatch(stripped):
        return float(stripped)
    return text


def param_variables(config: dict[str, str]) -> dict[str, int | float | bool | str]:
    """Script variables from ``param-<name>`` keys: prefix stripped, name lower-cased."""
    return {
        key[len(PARAM_PREFIX) :].lower(): param_value(value)
        for key, value in config.items()
        if key.lower().startswith(PARAM_PREFIX) and len(key) > len(PARAM_PREFIX)
    }
