"""Workflow mistakes ``gb check`` reports before anything runs (registered in workflows.apps).

The parser already refuses a BRANCH outside PARALLEL and a PARALLEL without END PARALLEL. What
it cannot see, this sees in the parsed script:

- STEP, RETRY, TIMEOUT and END WORKFLOW where no workflow runs: textually before the script's
  ORCHESTRATE WORKFLOW, or in a script without one (and RETRY/TIMEOUT before the first STEP);
- ``BOT "name"`` naming a bot that does not exist. Known bots are the active bots of the
  database and the packages ``gb run`` would sync: those of GB_PACKAGE_DIRS and the ``.gbai``
  folders beside the checked script's package. Nothing is written (a check never syncs); a bot
  name given by an expression is left to run time;
- literal numbers a keyword refuses at run time (RETRY -1, TIMEOUT "soon", DELAY -5);
- HUMAN APPROVAL ``ON TIMEOUT:`` text that is not an action, or ON TIMEOUT without a TIMEOUT.
"""

from __future__ import annotations

from pathlib import Path

from django.db import DatabaseError

from basic import nodes as n
from basic import values
from basic.errors import BasicRuntimeError
from bots.cli.checkers import ScriptProblem
from bots.packages.discovery import PACKAGE_SUFFIX, find_package_folders
from bots.packages.loader import package_dirs
from workflows.keywords import WorkflowKeywordError, timeout_action

ORCHESTRATE = "ORCHESTRATE WORKFLOW"
IN_WORKFLOW_ONLY = ("STEP", "RETRY", "TIMEOUT", "END WORKFLOW")
IN_STEP_ONLY = ("RETRY", "TIMEOUT")
# phrase -> (slot, what the number counts, zero allowed, whole number needed)
NUMBER_SLOTS: dict[str, tuple[str, str, bool, bool]] = {
    "RETRY": ("times", "retries", True, True),
    "TIMEOUT": ("seconds", "seconds", False, False),
    "DELAY": ("seconds", "seconds", True, False),
    "HUMAN APPROVAL": ("seconds", "seconds of TIMEOUT", False, False),
}


def _position(call: n.KeywordCall) -> tuple[int, int]:
    return call.line, call.column


class WorkflowChecker:
    """One ``gb check`` run's workflow checker: ``checker(program, path) -> problems``."""

    def __init__(self) -> None:
        self._database_bots: dict[str, str] | None = None
        self._folder_bots: dict[Path, dict[str, str]] = {}
        self.file = ""
        self.problems: list[ScriptProblem] = []

    def __call__(self, program: n.Program, path: Path) -> list[ScriptProblem]:
        self.file, self.problems = str(path), []
        main = sorted(n.keyword_calls(program.body), key=_position)
        in_procedures = sorted(n.keyword_calls(list(program.procedures.values())), key=_position)
        starts = [_position(call) for call in main + in_procedures if call.phrase == ORCHESTRATE]
        self._placement(main, starts[0] if starts else None)
        if not starts:
            self._placement(in_procedures, None)
        for call in main + in_procedures:
            if call.phrase == "BOT":
                self._bot(call, path)
            if call.phrase in NUMBER_SLOTS:
                self._number(call, *NUMBER_SLOTS[call.phrase])
            if call.phrase == "HUMAN APPROVAL":
                self._on_timeout(call)
        return self.problems

    def _problem(self, node: n.Node, message: str) -> None:
        self.problems.append(ScriptProblem(self.file, node.line, node.column, message))

    # --- where workflow keywords may stand ------------------------------------------------------

    def _placement(self, calls: list[n.KeywordCall], start: tuple[int, int] | None) -> None:
        """Workflow-only keywords before the workflow starts; RETRY/TIMEOUT before any STEP."""
        step_seen = False
        for call in calls:
            if call.phrase not in IN_WORKFLOW_ONLY:
                continue
            if start is None:
                self._problem(call, f"{call.phrase} is only allowed in a workflow, and this script has "
                                    "no ORCHESTRATE WORKFLOW; put ORCHESTRATE WORKFLOW \"name\" above line "
                                    f"{call.line}")
            elif _position(call) < start:
                self._problem(call, f"{call.phrase} is only allowed in a workflow: move it below ORCHESTRATE "
                                    f"WORKFLOW (line {start[0]}), or move ORCHESTRATE WORKFLOW above it")
            elif call.phrase == "STEP":
                step_seen = True
            elif call.phrase in IN_STEP_ONLY and not step_seen:
                self._problem(call, f"{call.phrase} must be inside a STEP: put it on the lines after STEP n:")

    # --- BOT "name" ----------------------------------------------------------------------------

    def _bot(self, call: n.KeywordCall, path: Path) -> None:
        name = call.args.get("bot")
        if not isinstance(name, n.Literal) or not isinstance(name.value, str):
            return  # a name computed at run time is checked when the BOT runs
        wanted = name.value.strip()
        known = self.known_bots(path)
        if wanted and wanted.lower() in known:
            return
        listed = ", ".join(sorted(known.values(), key=str.lower)) or "(none)"
        self._problem(name, f'BOT: there is no bot "{wanted}"; the bots are: {listed}. Fix the name, or '
                            f"add a package {wanted or 'name'}{PACKAGE_SUFFIX} beside this one (or in "
                            "GB_PACKAGE_DIRS)")

    def known_bots(self, path: Path) -> dict[str, str]:
        """Lower-cased name -> name of every bot a BOT in ``path`` could call."""
        if self._database_bots is None:
            self._database_bots = _database_bots()
        beside = _package_of(path)
        folder = (beside.parent if beside is not None else path.resolve().parent)
        if folder not in self._folder_bots:
            beside_packages = [p for p in _children(folder) if p.name.lower().endswith(PACKAGE_SUFFIX)]
            found, _problems = find_package_folders([*package_dirs(), *beside_packages])
            names = [p.name[: -len(PACKAGE_SUFFIX)] for p in found]
            self._folder_bots[folder] = {name.lower(): name for name in names}
        return {**self._database_bots, **self._folder_bots[folder]}

    # --- literal values ------------------------------------------------------------------------

    def _number(self, call: n.KeywordCall, slot: str, what: str, zero_ok: bool, whole: bool) -> None:
        value = call.args.get(slot)
        if not isinstance(value, n.Literal) or value.value is None:
            return
        phrase = call.phrase
        example = {"RETRY": "RETRY 3", "TIMEOUT": "TIMEOUT 60", "DELAY": "DELAY 5",
                   "HUMAN APPROVAL": "TIMEOUT 3600"}[phrase]
        try:
            number = values.to_number(value.value, what=f"{what} for {phrase}")
        except BasicRuntimeError as err:
            self._problem(value, f"{err.message}; write a number, e.g. {example}")
            return
        if number < 0 or (number == 0 and not zero_ok):
            need = "zero or more" if zero_ok else "a positive number of"
        elif whole and number != int(number):
            need = "a whole number of"
        else:
            return
        got = values.format_number(number)
        self._problem(value, f"{phrase} needs {need} {what}, got {got}; e.g. {example}")

    def _on_timeout(self, call: n.KeywordCall) -> None:
        action = call.args.get("action")
        if action is None:
            return
        if call.args.get("seconds") is None:
            self._problem(call, "HUMAN APPROVAL: ON TIMEOUT needs a TIMEOUT to act on; add TIMEOUT 3600 "
                                "before it")
        try:
            timeout_action(str(action))
        except WorkflowKeywordError as err:
            self._problem(call, f"HUMAN APPROVAL: {err.message}")


def _package_of(path: Path) -> Path | None:
    for parent in path.resolve().parents:
        if parent.name.lower().endswith(PACKAGE_SUFFIX) and parent.is_dir():
            return parent
    return None


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(child for child in folder.iterdir() if child.is_dir())
    except OSError:
        return []


def _database_bots() -> dict[str, str]:
    """The active bots registered in the database; none when it is not set up (a fresh checkout)."""
    from bots.models import Bot

    try:
        names = list(Bot.objects.filter(active=True).values_list("name", flat=True))
    except DatabaseError:
        return {}
    return {name.lower(): name for name in names}
