"""Reads for the run pages: the list of runs, and one run as its diagram with each node's state.

The diagram comes from the run's pinned script (workflows/diagram.py); the state from the rows
the engine writes. A step node takes the StepRuns recorded with its label; a BRANCH box takes the
branch execution of its name; a BOT, HUMAN APPROVAL or DELAY node takes the child execution,
approval request or timer created while its step was running (matched in source order, bots by
name, approvals by approver), so a retried step, a loop or an escalation shows its latest row.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from basic.errors import BasicError
from bots.models import Message
from workflows import diagram as dg
from workflows import selectors
from workflows.models import (
    ApprovalRequest,
    ApprovalStatus,
    ExecutionKind,
    ExecutionStatus,
    StepRun,
    StepStatus,
    TimerKind,
    WorkflowExecution,
    WorkflowTimer,
)

PENDING, RUNNING, WAITING = "pending", "running", "waiting"
COMPLETED, FAILED, CANCELLED, SKIPPED = "completed", "failed", "cancelled", "skipped"
NOT_RUN = (PENDING, SKIPPED)
ACTION_KINDS = ("bot", "approval", "delay", "parallel")
SHOWN_CHARS = 4000
DIAGRAMS_KEPT = 256


# --- the list ------------------------------------------------------------------------------------


def run_list(
    *, bot: str = "", status: str = "", workflow: str = "", since: date | None = None,
    until: date | None = None,
) -> QuerySet[WorkflowExecution]:
    """Workflow runs (tree roots), newest first, filtered by bot name, status, workflow name and
    the days they were created in (both ends included, in the site's time zone)."""
    return selectors.execution_list(
        bot=bot, status=status, workflow=workflow,
        created_after=_day_start(since) if since is not None else None,
        created_before=_day_start(until + timedelta(days=1)) if until is not None else None,
    ).filter(kind=ExecutionKind.WORKFLOW)


def workflow_names() -> list[str]:
    """The workflow names runs have, for the list's filter."""
    names = WorkflowExecution.objects.filter(parent__isnull=True).exclude(workflow_name="")
    return list(names.order_by("workflow_name").values_list("workflow_name", flat=True).distinct())


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


# --- one run -------------------------------------------------------------------------------------


@dataclass(slots=True)
class RunNode:
    """A diagram node with its state. ``children``: a step's actions, a PARALLEL's branches, a
    branch's or arm's items, a group's arms."""

    node: Any
    status: str = PENDING
    children: list[RunNode] = field(default_factory=list)
    attempts: list[StepRun] = field(default_factory=list)  # a step: the attempts of its latest run
    runs: int = 0  # how many times it ran (steps in loops, repeated calls)
    execution: WorkflowExecution | None = None  # a branch, or the bot a BOT node called
    approvals: list[ApprovalRequest] = field(default_factory=list)  # the latest request, escalations included
    timer: WorkflowTimer | None = None
    note: str = ""

    @property
    def kind(self) -> str:
        return self.node.kind

    @property
    def id(self) -> str:
        return self.node.id

    @property
    def last(self) -> StepRun | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def entered(self) -> bool:
        return any(child.status not in NOT_RUN or child.entered for child in self.children)

    @property
    def input_text(self) -> str:
        return shown(self.last.input) if self.last and self.last.input else ""

    @property
    def output_text(self) -> str:
        return shown(self.last.output) if self.last and self.last.output else ""

    @property
    def duration(self) -> str:
        if self.last is not None:
            return duration_text(self.attempts[0].started_at, self.last.ended_at)
        if self.execution is not None and self.execution.started_at:
            return duration_text(self.execution.started_at, self.execution.finished_at)
        return ""

    @property
    def result_text(self) -> str:
        if self.execution is None or self.execution.result is None:
            return ""
        return shown(self.execution.result)

    @property
    def error(self) -> str:
        if self.last is not None and self.last.error:
            return self.last.error
        if self.execution is not None and self.execution.status != ExecutionStatus.COMPLETED:
            return self.execution.error
        return ""


@dataclass(slots=True)
class Said:
    """A TALK (or TALK TO) of the run, with where it came from: branch, step, called bot."""

    message: Message
    where: str


@dataclass(slots=True)
class RunView:
    execution: WorkflowExecution
    nodes: list[RunNode]
    diagram_error: str
    messages: list[Said]
    pending_approvals: list[ApprovalRequest]
    executions: int

    @property
    def duration(self) -> str:
        started = self.execution.started_at or self.execution.created_at
        return duration_text(started, self.execution.finished_at)

    @property
    def inputs_text(self) -> str:
        return shown(self.execution.inputs) if self.execution.inputs else ""

    @property
    def result_text(self) -> str:
        return shown(self.execution.result) if self.execution.result is not None else ""


def run_view(root: WorkflowExecution) -> RunView:
    """Everything the run page shows for the tree under ``root``, read now."""
    everything = WorkflowExecution.objects.filter(Q(pk=root.pk) | Q(root_id=root.pk))
    tree = list(everything.select_related("bot", "script_version").order_by("id"))
    by_id = {execution.pk: execution for execution in tree}
    root = by_id.get(root.pk, root)
    ids = list(by_id)
    rows = _Rows(
        tree=tree,
        steps=list(StepRun.objects.filter(execution_id__in=ids).order_by("started_at", "id")),
        approvals=list(ApprovalRequest.objects.filter(execution_id__in=ids).order_by("id")),
        timers=list(WorkflowTimer.objects.filter(execution_id__in=ids, kind=TimerKind.DELAY).order_by("id")),
    )
    drawn = diagram_for(root)
    nodes: list[RunNode] = []
    error = ""
    if isinstance(drawn, str):
        error = drawn
    else:
        nodes = _Scope(rows, root).nodes(drawn.items)
    messages = [
        Said(message, _where(message, root))
        for message in Message.objects.filter(
            conversation_id=root.conversation_id, source__execution__in=ids
        ).order_by("id")
    ] if root.conversation_id else []
    pending = [request for request in rows.approvals if request.status == ApprovalStatus.PENDING]
    return RunView(execution=root, nodes=nodes, diagram_error=error, messages=messages,
                   pending_approvals=pending, executions=len(tree))


def diagram_for(execution: WorkflowExecution) -> dg.Diagram | str:
    """The diagram of the execution's pinned script, or why there is none."""
    version = execution.script_version
    return _diagram(version.source, execution.script)


@functools.lru_cache(maxsize=DIAGRAMS_KEPT)
def _diagram(source: str, file: str) -> dg.Diagram | str:
    """Kept per script (a live page redraws on every change of its run; a pinned source never
    changes), the most recently drawn ones."""
    try:
        return dg.diagram_from_source(source, file=file)
    except BasicError as err:
        return f"The diagram cannot be drawn: {err}"


@dataclass(slots=True)
class _Rows:
    """The tree's rows, indexed once by execution (each branch's scope takes its own)."""

    tree: list[WorkflowExecution]
    steps: list[StepRun]
    approvals: list[ApprovalRequest]
    timers: list[WorkflowTimer]
    children: dict[int, list[WorkflowExecution]] = field(default_factory=lambda: defaultdict(list))
    steps_of: dict[int, list[StepRun]] = field(default_factory=lambda: defaultdict(list))
    approvals_of: dict[int, list[ApprovalRequest]] = field(default_factory=lambda: defaultdict(list))
    timers_of: dict[int, list[WorkflowTimer]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for execution in self.tree:
            if execution.parent_id is not None:
                self.children[execution.parent_id].append(execution)
        for run in self.steps:
            self.steps_of[run.execution_id].append(run)
        for request in self.approvals:
            self.approvals_of[request.execution_id].append(request)
        for timer in self.timers:
            self.timers_of[timer.execution_id].append(timer)


class _Scope:
    """One execution (the workflow, or one branch) and the diagram items it runs."""

    def __init__(self, rows: _Rows, execution: WorkflowExecution | None) -> None:
        self.rows = rows
        self.execution = execution
        pk = execution.pk if execution is not None else None
        self.steps = rows.steps_of.get(pk, [])  # None (a branch not started): nothing ran yet
        self.windows = sorted(self.steps, key=lambda run: (run.started_at, run.seq, run.attempt))
        self.starts = [run.started_at for run in self.windows]
        self.by_seq: dict[int, list[StepRun]] = defaultdict(list)
        for run in self.steps:
            self.by_seq[run.seq].append(run)
        # What each step (its StepRun seq; None: outside any step) created, by kind.
        self.made: dict[int | None, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for child in rows.children.get(pk, []):
            self.made[self._seq_at(child.created_at)][child.kind].append(child)
        for request in rows.approvals_of.get(pk, []):
            self.made[self._seq_at(request.created_at)]["approval"].append(request)
        for timer in rows.timers_of.get(pk, []):
            self.made[self._seq_at(timer.created_at)]["delay"].append(timer)

    def _seq_at(self, moment: datetime) -> int | None:
        """The step that was running at ``moment`` (None: before the first, or between steps)."""
        index = bisect.bisect_right(self.starts, moment) - 1
        if index < 0:
            return None
        run = self.windows[index]
        if run.ended_at is not None and run.ended_at < moment:
            return None
        return run.seq

    # --- building the tree of RunNodes --------------------------------------------------------

    def nodes(self, items: list[dg.Item]) -> list[RunNode]:
        tree = [self._node(item) for item in items]
        flat = _flat(tree)
        step_nodes = [node for node in flat if node.kind == "step"]
        seq_nodes = self._steps_state(step_nodes)
        step_actions = {id(node): _actions(node.children) for node in step_nodes}
        in_steps = {id(action) for actions in step_actions.values() for action in actions}
        loose = [node for node in _actions(tree) if id(node) not in in_steps]
        self._actions_state(loose, None, finished=self._final())
        for node in step_nodes:
            seq = seq_nodes.get(node.id)
            finished = node.status in (COMPLETED, SKIPPED)
            self._actions_state(step_actions[id(node)], seq, finished=finished)
        _groups_state(tree)
        return tree

    def _node(self, item: dg.Item) -> RunNode:
        node = RunNode(node=item)
        if isinstance(item, dg.Step):
            node.children = [self._node(child) for child in item.items]
        elif isinstance(item, dg.Parallel):
            node.children = [RunNode(node=branch) for branch in item.branches]
        elif isinstance(item, dg.Group):
            node.children = [
                RunNode(node=arm, children=[self._node(child) for child in arm.items]) for arm in item.arms
            ]
        return node

    def _final(self) -> bool:
        return self.execution is not None and self.execution.status == ExecutionStatus.COMPLETED

    def _steps_state(self, step_nodes: list[RunNode]) -> dict[str, int]:
        """Give each step node its latest run; returns node id -> the StepRun seq it shows."""
        claimed: dict[str, list[int]] = defaultdict(list)
        index = _StepIndex(step_nodes)
        for seq, runs in sorted(self.by_seq.items()):
            target = index.node_of(runs[0])
            if target is not None:
                claimed[target.id].append(seq)
        shown_seq: dict[str, int] = {}
        for node in step_nodes:
            seqs = claimed.get(node.id)
            if not seqs:
                node.status = SKIPPED if self._final() else PENDING
                continue
            seq = seqs[-1]
            shown_seq[node.id] = seq
            node.runs = len(seqs)
            node.attempts = sorted(self.by_seq[seq], key=lambda run: run.attempt)
            node.status, node.note = self._step_status(node, seq)
        return shown_seq

    def _step_status(self, node: RunNode, seq: int) -> tuple[str, str]:
        last = node.attempts[-1]
        execution = self.execution
        current = execution is not None and execution.step_seq == seq
        if execution is not None and current and execution.status == ExecutionStatus.WAITING:
            if execution.waiting_for == "retry":
                return WAITING, f"retry {execution.attempt} after a failure"
            if last.status == StepStatus.RUNNING:
                return WAITING, _waiting_note(execution)
        if last.status == StepStatus.RUNNING and execution is not None and execution.is_final:
            return (CANCELLED if execution.status == ExecutionStatus.CANCELLED else FAILED), ""
        return str(last.status), ""

    def _actions_state(self, actions: list[RunNode], seq: int | None, *, finished: bool) -> None:
        made = self.made.get(seq, {})
        _match(
            [a for a in actions if a.kind == "bot"], _by_key(made.get(ExecutionKind.BOT, []), "join_key"),
            lambda node, group: not node.node.bot_literal or group[-1].bot.name == node.node.bot,
            self._bot_state,
        )
        _match(
            [a for a in actions if a.kind == "parallel"],
            _by_key(made.get(ExecutionKind.BRANCH, []), "join_key"),
            lambda node, group: {child.branch for child in group} <= {b.node.name for b in node.children},
            self._parallel_state,
        )
        _match(
            [a for a in actions if a.kind == "approval"], _by_key(made.get("approval", []), "effect_seq"),
            lambda node, group: not node.node.approver_literal or group[0].approver == node.node.approver,
            self._approval_state,
        )
        _match([a for a in actions if a.kind == "delay"], [[timer] for timer in made.get("delay", [])],
               lambda node, group: True, self._delay_state)
        for node in actions:
            if node.status == PENDING and finished:
                node.status = SKIPPED
            if node.kind == "parallel" and not node.runs:
                for branch in node.children:
                    branch.children = _Scope(self.rows, None).nodes(branch.node.items)
                    branch.status = node.status

    def _bot_state(self, node: RunNode, groups: list[list[WorkflowExecution]]) -> None:
        node.runs = len(groups)
        node.execution = groups[-1][-1]
        node.status = str(node.execution.status)

    def _parallel_state(self, node: RunNode, groups: list[list[WorkflowExecution]]) -> None:
        node.runs = len(groups)
        latest = {child.branch: child for child in sorted(groups[-1], key=lambda child: child.pk)}
        for branch in node.children:
            child = latest.get(branch.node.name)
            branch.execution = child
            branch.status = str(child.status) if child is not None else PENDING
            branch.children = _Scope(self.rows, child).nodes(branch.node.items)
        node.status = _combined([branch.status for branch in node.children])

    def _approval_state(self, node: RunNode, groups: list[list[ApprovalRequest]]) -> None:
        node.runs = len(groups)
        node.approvals = groups[-1]
        latest = groups[-1][-1]
        node.status = {
            ApprovalStatus.PENDING: WAITING, ApprovalStatus.APPROVED: COMPLETED,
            ApprovalStatus.REJECTED: FAILED, ApprovalStatus.CANCELLED: CANCELLED,
        }.get(latest.status, WAITING)
        if latest.status == ApprovalStatus.PENDING:
            node.note = f"waiting for {latest.approver}"
        else:
            node.note = f"{latest.get_status_display().lower()}"

    def _delay_state(self, node: RunNode, groups: list[list[WorkflowTimer]]) -> None:
        node.runs = len(groups)
        node.timer = groups[-1][-1]
        node.status = COMPLETED if node.timer.fired_at is not None else WAITING
        if node.timer.fired_at is None:
            node.note = f"until {timezone.localtime(node.timer.due_at):%H:%M:%S}"


# --- helpers -------------------------------------------------------------------------------------


def _flat(nodes: Iterable[RunNode]) -> list[RunNode]:
    """The nodes and their descendants, not entering branches (they belong to other scopes)."""
    found: list[RunNode] = []
    for node in nodes:
        found.append(node)
        if node.kind != "parallel":
            found.extend(_flat(node.children))
    return found


def _actions(nodes: Iterable[RunNode]) -> list[RunNode]:
    """The BOT, HUMAN APPROVAL, DELAY and PARALLEL nodes among ``nodes`` and their descendants."""
    return [node for node in _flat(nodes) if node.kind in ACTION_KINDS]


class _StepIndex:
    """The step node a StepRun belongs to: same label and line, else same label (a literal one),
    else same line; the first in source order of each. Built once per scope, so matching every
    run costs a look-up, not a scan of the steps."""

    def __init__(self, step_nodes: list[RunNode]) -> None:
        self.by_label_line: dict[tuple[str, int], RunNode] = {}
        self.by_label: dict[str, RunNode] = {}
        self.by_line: dict[int, RunNode] = {}
        for node in step_nodes:
            self.by_label_line.setdefault((node.node.label, node.node.line), node)
            if node.node.label_literal:
                self.by_label.setdefault(node.node.label, node)
            self.by_line.setdefault(node.node.line, node)

    def node_of(self, run: StepRun) -> RunNode | None:
        return (
            self.by_label_line.get((run.step, run.line))
            or self.by_label.get(run.step)
            or self.by_line.get(run.line)
        )


def _by_key(rows: list[Any], key: str) -> list[list[Any]]:
    """Rows grouped by an effect number, groups in effect order, rows in id order."""
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, key) or 0].append(row)
    return [sorted(groups[k], key=lambda row: row.pk) for k in sorted(groups)]


def _match(nodes: list[RunNode], groups: list[list[Any]], fits: Any, apply: Any) -> None:
    """Give each node (in source order) the first group that fits it and no earlier node took;
    a group left over (a loop, a repeated call) goes to the last node it fits."""
    taken: dict[int, list[list[Any]]] = defaultdict(list)
    left = list(groups)
    for index, node in enumerate(nodes):
        for group in left:
            if fits(node, group):
                taken[index].append(group)
                left.remove(group)
                break
    for group in left:
        for index in range(len(nodes) - 1, -1, -1):
            if fits(nodes[index], group):
                taken[index].append(group)
                break
    for index, node in enumerate(nodes):
        if taken[index]:
            apply(node, sorted(taken[index], key=lambda group: group[0].pk))


def _combined(statuses: list[str]) -> str:
    for status in (FAILED, RUNNING, WAITING, CANCELLED):
        if status in statuses:
            return status
    if statuses and all(status == COMPLETED for status in statuses):
        return COMPLETED
    return PENDING


def _groups_state(nodes: list[RunNode]) -> None:
    """Groups and arms have no rows: they are "entered" when something inside them ran."""
    for node in nodes:
        _groups_state(node.children)
        if node.kind in ("arm", "if", "select", "loop", "block"):
            node.status = "entered" if node.entered else PENDING


def _where(message: Message, root: WorkflowExecution) -> str:
    source = message.source or {}
    parts = []
    if source.get("branch"):
        parts.append(f"branch {source['branch']}")
    if source.get("step"):
        parts.append(f"step {source['step']}")
    if source.get("bot") and source["bot"] != root.bot.name:
        parts.append(f"bot {source['bot']}")
    if message.kind == "talk_to":
        parts.append(f"to {source.get('recipient', '')}")
    return " · ".join(parts)


def _waiting_note(execution: WorkflowExecution) -> str:
    what = execution.waiting_for
    if what == "bot":
        return "waiting for a bot"
    if what == "parallel":
        return f"waiting for {len(execution.detail.get('children') or {})} branches"
    if what == "approval":
        return f"waiting for approval from {execution.detail.get('approver', 'someone')}"
    if what == "timer":
        return "waiting for a DELAY"
    return f"waiting ({what})" if what else "waiting"


def shown(value: Any) -> str:
    """A value as readable JSON, cut to a size a page can hold."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "\n…"


def duration_text(start: datetime | None, end: datetime | None) -> str:
    """``1.25 s``, ``3 min 4 s``; a missing end counts up to now."""
    if start is None:
        return ""
    seconds = max(0.0, ((end or timezone.now()) - start).total_seconds())
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 120:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
