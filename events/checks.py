"""What ``gb check`` finds in event keywords before anything runs (bots/cli/checkers.py):
ON EVENT blocks that cannot be registered, and WAIT FOR EVENT ON TIMEOUT actions it cannot take."""

from __future__ import annotations

from pathlib import Path

from basic import nodes
from bots.cli.checkers import ScriptProblem
from events.keywords import EventKeywordError, timeout_action
from events.subscriptions import handler_calls


class EventChecker:
    """One ``gb check`` run's event checker (the class is the factory register_script_checker wants)."""

    def __call__(self, program: nodes.Program, path: Path) -> list[ScriptProblem]:
        _blocks, problems = handler_calls(program)
        found = [ScriptProblem(str(path), node.line, node.column, message) for node, message in problems]
        for call in nodes.keyword_calls([program.body, list(program.procedures.values())]):
            action = call.args.get("action") if call.phrase == "WAIT FOR EVENT" else None
            if isinstance(action, str):
                try:
                    timeout_action(action)
                except EventKeywordError as exc:
                    found.append(ScriptProblem(str(path), call.line, call.column, exc.message))
        return found
