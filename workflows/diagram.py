"""A workflow's diagram, derived from its BASIC source (the source is the truth; nothing is stored).

The run view draws this graph and lights its nodes up from the run's rows. A STEP is a marker in
BASIC, not a block: a step holds what follows it up to the next STEP at the same level (or END
WORKFLOW). Inside steps the diagram keeps only what a reader of a run cares about: the bots it
calls, the approvals it waits for, its DELAYs and PARALLEL branches (each with its own steps and
actions). IF, SELECT and loops that hold any of those become groups; a group that holds steps
stands between steps (it is "around" them), one that holds only actions sits inside its step.

Pure functions of the source: :func:`diagram_from_source` raises
:class:`~basic.errors.BasicSyntaxError` for a script that does not parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from basic import nodes as n
from basic import values
from basic.parser import parse

STEP, END_WORKFLOW, ORCHESTRATE = "STEP", "END WORKFLOW", "ORCHESTRATE WORKFLOW"
RETRY, TIMEOUT = "RETRY", "TIMEOUT"
BOT, APPROVAL, DELAY, PARALLEL = "BOT", "HUMAN APPROVAL", "DELAY", "PARALLEL"
ACTION_PHRASES = (BOT, APPROVAL, DELAY)


@dataclass(slots=True)
class BotCall:
    """``BOT "bot" "task"``: ``bot``/``task`` are the literal text, or the expression as written
    (``literal`` False) when the script computes them; ``target`` is the variable it sets."""

    id: str
    line: int
    bot: str
    task: str
    bot_literal: bool
    target: str = ""
    kind: str = "bot"


@dataclass(slots=True)
class Approval:
    id: str
    line: int
    approver: str
    approver_literal: bool
    subject: str = ""
    timeout: str = ""
    on_timeout: str = ""
    target: str = ""
    kind: str = "approval"


@dataclass(slots=True)
class Delay:
    id: str
    line: int
    seconds: str
    kind: str = "delay"


@dataclass(slots=True)
class Branch:
    id: str
    line: int
    name: str
    items: list[Item] = field(default_factory=list)
    kind: str = "branch"


@dataclass(slots=True)
class Parallel:
    id: str
    line: int
    branches: list[Branch] = field(default_factory=list)
    kind: str = "parallel"


@dataclass(slots=True)
class Arm:
    """One way through a group: ``IF x > 1``, ``ELSE``, ``CASE "a"``, a loop's body."""

    id: str
    line: int
    text: str
    items: list[Item] = field(default_factory=list)
    kind: str = "arm"


@dataclass(slots=True)
class Group:
    """IF / SELECT (``kind`` "if", "select") or a loop ("loop") or another block ("block")."""

    id: str
    line: int
    kind: str
    text: str
    arms: list[Arm] = field(default_factory=list)

    @property
    def has_steps(self) -> bool:
        return any(_holds_step(arm.items) for arm in self.arms)


@dataclass(slots=True)
class Step:
    """``STEP label ["title"]:``; ``label`` is the text the engine records in StepRun.step
    (``label_literal`` False when the script computes it)."""

    id: str
    line: int
    label: str
    label_literal: bool
    title: str = ""
    retry: str = ""
    timeout: str = ""
    items: list[Item] = field(default_factory=list)
    kind: str = "step"


Item = Step | BotCall | Approval | Delay | Parallel | Group


@dataclass(slots=True)
class Diagram:
    """The whole script: ``workflow`` is the ORCHESTRATE WORKFLOW name ("" when not literal or absent)."""

    workflow: str
    line: int
    items: list[Item] = field(default_factory=list)

    def steps(self) -> list[Step]:
        """Every step, nested ones included, in source order."""
        return [item for item in walk(self.items) if isinstance(item, Step)]


def diagram_from_source(source: str, *, file: str = "<script>") -> Diagram:
    """Parse ``source`` and build its diagram."""
    program = parse(source, file=file)
    builder = _Builder()
    items = builder.sequence(program.body)
    return Diagram(workflow=builder.workflow, line=builder.workflow_line, items=items)


def walk(items: list[Item]) -> list[Any]:
    """Every node under ``items`` (branches and arms included), depth first in source order."""
    found: list[Any] = []
    for item in items:
        found.append(item)
        if isinstance(item, Step):
            found.extend(walk(item.items))
        elif isinstance(item, Parallel):
            for branch in item.branches:
                found.append(branch)
                found.extend(walk(branch.items))
        elif isinstance(item, Group):
            for arm in item.arms:
                found.append(arm)
                found.extend(walk(arm.items))
    return found


# --- building --------------------------------------------------------------------------------


def _holds_step(items: list[Item]) -> bool:
    for item in items:
        if isinstance(item, Step):
            return True
        if isinstance(item, Group) and item.has_steps:
            return True
    return False


def _node_id(kind: str, node: n.Node) -> str:
    return f"{kind}-{node.line}-{node.column}"


class _Builder:
    def __init__(self) -> None:
        self.workflow = ""
        self.workflow_line = 0

    def sequence(self, statements: list[n.Stmt]) -> list[Item]:
        """The items of one level: steps collect what follows them at this level."""
        items: list[Item] = []
        current: Step | None = None

        def add(item: Item) -> None:
            (current.items if current is not None else items).append(item)

        for statement in statements:
            call = statement.call if isinstance(statement, n.Command) else None
            phrase = call.phrase if call is not None else ""
            if call is not None and phrase == STEP:
                current = self._step(call)
                items.append(current)
            elif call is not None and phrase == END_WORKFLOW:
                current = None
            elif call is not None and phrase == ORCHESTRATE:
                name, literal = _text(call.args.get("name"))
                if not self.workflow_line:
                    self.workflow, self.workflow_line = (name if literal else ""), call.line
                current = None
            elif call is not None and phrase in (RETRY, TIMEOUT) and current is not None:
                value = _text(call.args.get("times" if phrase == RETRY else "seconds"))[0]
                if phrase == RETRY:
                    current.retry = value
                else:
                    current.timeout = value
            elif isinstance(statement, n.KeywordBlock) and statement.call.phrase == PARALLEL:
                add(self._parallel(statement))
            else:
                group = self._group(statement)
                if group is not None:
                    if group.has_steps:  # around steps: it stands between them
                        items.append(group)
                        current = None
                    else:
                        add(group)
                else:
                    for action in self._actions(statement):
                        add(action)
        return items

    def _step(self, call: n.KeywordCall) -> Step:
        label, literal = _text(call.args.get("label"))
        title = _text(call.args["title"])[0] if "title" in call.args else ""
        return Step(
            id=_node_id("step", call), line=call.line, label=label, label_literal=literal, title=title
        )

    def _parallel(self, block: n.KeywordBlock) -> Parallel:
        parallel = Parallel(id=_node_id("parallel", block.call), line=block.call.line)
        for section, body in block.sections:
            name = str(section.args.get("name", ""))
            branch = Branch(id=_node_id("branch", section), line=section.line, name=name)
            branch.items = self.sequence(body)
            parallel.branches.append(branch)
        return parallel

    def _group(self, statement: n.Stmt) -> Group | None:
        """The group a control statement makes, or None when it holds nothing to draw."""
        arms: list[tuple[n.Node, str, list[n.Stmt]]] = []
        if isinstance(statement, n.If):
            kind, text = "if", "IF"
            for index, (condition, body) in enumerate(statement.branches):
                arms.append((condition, f"{'IF' if index == 0 else 'ELSE IF'} {expr_text(condition)}", body))
            if statement.else_body is not None:
                arms.append((statement, "ELSE", statement.else_body))
        elif isinstance(statement, n.Select):
            kind, text = "select", f"SELECT CASE {expr_text(statement.subject)}"
            for case in statement.cases:
                case_text = "CASE " + ", ".join(_case_text(value) for value in case.values)
                arms.append((case, case_text, case.body))
            if statement.else_body is not None:
                arms.append((statement, "CASE ELSE", statement.else_body))
        elif isinstance(statement, n.ForEach):
            kind, text = "loop", f"FOR EACH {statement.var} IN {expr_text(statement.iterable)}"
            arms.append((statement, text, statement.body))
        elif isinstance(statement, n.ForRange):
            kind = "loop"
            text = f"FOR {statement.var} = {expr_text(statement.start)} TO {expr_text(statement.end)}"
            arms.append((statement, text, statement.body))
        elif isinstance(statement, n.While):
            kind, text = "loop", f"WHILE {expr_text(statement.cond)}"
            arms.append((statement, text, statement.body))
        elif isinstance(statement, n.DoLoop):
            kind = "loop"
            text = "DO" if statement.cond is None else (
                f"DO {'UNTIL' if statement.until else 'WHILE'} {expr_text(statement.cond)}"
            )
            arms.append((statement, text, statement.body))
        elif isinstance(statement, n.KeywordBlock):
            kind, text = "block", statement.call.phrase
            arms.append((statement, text, statement.body))
            for section, body in statement.sections:
                arms.append((section, section.phrase, body))
        else:
            return None
        group = Group(id=_node_id(kind, statement), line=statement.line, kind=kind, text=text)
        for position, (node, arm_text, body) in enumerate(arms):
            items = self.sequence(body)
            arm_id = f"arm-{node.line}-{node.column}-{position}"
            group.arms.append(Arm(id=arm_id, line=node.line, text=arm_text, items=items))
        if not any(arm.items for arm in group.arms):
            return None
        return group

    def _actions(self, statement: n.Stmt) -> list[Item]:
        """The notable keyword calls anywhere in one statement, in source order."""
        target = ""
        if isinstance(statement, n.Assign) and isinstance(statement.value, n.KeywordCall):
            target = expr_text(statement.target)
        calls = [call for call in n.keyword_calls(statement) if call.phrase in ACTION_PHRASES]
        calls.sort(key=lambda call: (call.line, call.column))
        found: list[Item] = []
        for call in calls:
            direct = isinstance(statement, n.Assign) and call is statement.value
            found.append(_action(call, target if direct else ""))
        return found


def _action(call: n.KeywordCall, target: str) -> Item:
    args = call.args
    if call.phrase == BOT:
        bot, literal = _text(args.get("bot"))
        return BotCall(id=_node_id("bot", call), line=call.line, bot=bot, task=_text(args.get("task"))[0],
                       bot_literal=literal, target=target)
    if call.phrase == APPROVAL:
        approver, literal = _text(args.get("approver"))
        return Approval(
            id=_node_id("approval", call), line=call.line, approver=approver, approver_literal=literal,
            subject=_text(args["subject"])[0] if "subject" in args else "",
            timeout=_text(args["seconds"])[0] if "seconds" in args else "",
            on_timeout=str(args.get("action") or "").strip(), target=target,
        )
    return Delay(id=_node_id("delay", call), line=call.line, seconds=_text(args.get("seconds"))[0])


# --- text of expressions ------------------------------------------------------------------------


def _text(value: Any) -> tuple[str, bool]:
    """An argument's text and whether the script wrote it literally."""
    if isinstance(value, n.Literal):
        return values.to_text(value.value), True
    if isinstance(value, str):  # a word or raw slot
        return value, True
    if value is None:
        return "", True
    return expr_text(value), False


def _case_text(value: Any) -> str:
    if isinstance(value, n.CaseRange):
        return f"{expr_text(value.low)} TO {expr_text(value.high)}"
    if isinstance(value, n.CaseIs):
        return f"IS {value.op} {expr_text(value.value)}"
    return expr_text(value)


def expr_text(expr: Any) -> str:
    """An expression written back as BASIC (close to the source; for labels and conditions)."""
    if isinstance(expr, n.Literal):
        if isinstance(expr.value, str):
            return '"' + expr.value.replace('"', '""') + '"'
        return values.to_text(expr.value) if expr.value is not None else "EMPTY"
    if isinstance(expr, n.Name):
        return expr.name
    if isinstance(expr, n.Member):
        return f"{expr_text(expr.obj) if expr.obj is not None else ''}.{expr.name}"
    if isinstance(expr, n.Index):
        return f"{expr_text(expr.obj)}[{expr_text(expr.index)}]"
    if isinstance(expr, n.Call):
        return f"{expr.name.upper()}({', '.join(expr_text(arg) for arg in expr.args)})"
    if isinstance(expr, n.MethodCall):
        return f"{expr_text(expr.obj)}.{expr.name.upper()}({', '.join(expr_text(arg) for arg in expr.args)})"
    if isinstance(expr, n.Unary):
        space = " " if expr.op == "NOT" else ""
        return f"{expr.op}{space}{expr_text(expr.operand)}"
    if isinstance(expr, n.Binary):
        return f"{_operand_text(expr.left)} {expr.op} {_operand_text(expr.right)}"
    if isinstance(expr, n.ArrayLiteral):
        return "[" + ", ".join(expr_text(item) for item in expr.items) + "]"
    if isinstance(expr, n.MapLiteral):
        return "{" + ", ".join(f"{key}: {expr_text(value)}" for key, value in expr.entries) + "}"
    if isinstance(expr, n.KeywordCall):
        return expr.phrase
    return "…"


def _operand_text(expr: Any) -> str:
    text = expr_text(expr)
    return f"({text})" if isinstance(expr, n.Binary) else text
