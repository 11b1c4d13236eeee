"""The workflow keywords: ORCHESTRATE WORKFLOW, STEP, BOT, PARALLEL / BRANCH, HUMAN APPROVAL,
DELAY, RETRY and TIMEOUT.

Handlers only describe what the run waits for (a :class:`~basic.registry.Suspend`); the engine
(:mod:`workflows.engine`) turns each wait into rows, child executions and timers, and resumes
the run with the outcome. Keywords that wait for other runs or people are journaled effects, so
a step that is retried, or a failed workflow that is resumed, reuses what already completed.
"""

from __future__ import annotations

import re
from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from basic.keywords.core import timer_done, timer_wait
from basic.registry import KeywordSpec, Suspend
from basic.vm import ops

CATEGORY = "Workflows"
CHILD_ERROR = "#error"  # the key of a wake value that reports a failed child run


class WorkflowKeywordError(BasicRuntimeError):
    """A workflow keyword used where it cannot work, or with a value it cannot take."""


def engine_host(run: Any, phrase: str) -> Any:
    """The host of a workflow execution, or an error that says how to run the script."""
    host = run.host
    if not getattr(host, "workflow_engine", False):
        raise WorkflowKeywordError(
            f"{phrase} runs only in a workflow: start the script with `python manage.py gb run FILE.bas`, "
            "POST /api/workflows/, or put it after ORCHESTRATE WORKFLOW in a bot's dialog"
        )
    return host


def _in_workflow(run: Any, phrase: str) -> Any:
    host = engine_host(run, phrase)
    if not host.workflow_name:
        raise WorkflowKeywordError(f'{phrase} must come after ORCHESTRATE WORKFLOW "name"')
    return host


def visible_variables(run: Any) -> dict[str, Any]:
    """The variables a child run starts with: the script's main variables, and the locals of
    the procedure running now (hidden compiler variables left out)."""
    frames = run.frames
    main = frames[run.main_index(len(frames) - 1)].vars
    merged = {**main, **frames[-1].vars} if frames[-1].vars is not main else dict(main)
    return {name: ops.cp(value) for name, value in merged.items() if not name.startswith("#")}


def _positive(value: Any, phrase: str, what: str, *, allow_zero: bool = False) -> float:
    number = values.to_number(value, what=f"{what} for {phrase}")
    if number < 0 or (number == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "a positive number of"
        raise WorkflowKeywordError(f"{phrase} needs {bound} {what}, got {values.format_number(number)}")
    return float(number)


# --- ORCHESTRATE WORKFLOW / END WORKFLOW / STEP ------------------------------------------------


def _orchestrate(run: Any, args: dict) -> Suspend:
    name = values.to_text(args["name"]).strip()
    if not name:
        raise WorkflowKeywordError(
            'ORCHESTRATE WORKFLOW needs a name: ORCHESTRATE WORKFLOW "order-processing"'
        )
    return Suspend("workflow", {"name": name[:200]})


def _end_workflow(run: Any, args: dict) -> Suspend:
    _in_workflow(run, "END WORKFLOW")
    return Suspend("checkpoint", {"end": True})


def _step(run: Any, args: dict) -> Suspend:
    _in_workflow(run, "STEP")
    label = values.to_text(args["label"]).strip()
    if not label:
        raise WorkflowKeywordError('STEP needs a label: STEP 1: ... or STEP 2 "charge card": ...')
    title = values.to_text(args.get("title", "")).strip()
    return Suspend("checkpoint", {"label": label[:200], "title": title[:200], "line": run.line})


def _retry(run: Any, args: dict) -> None:
    times = _positive(args["times"], "RETRY", "retries", allow_zero=True)
    if times != int(times):
        raise WorkflowKeywordError(
            f"RETRY needs a whole number of retries, got {values.format_number(times)}"
        )
    _in_workflow(run, "RETRY").step_policy_set(retry=int(times), phrase="RETRY")


def _timeout(run: Any, args: dict) -> None:
    seconds = _positive(args["seconds"], "TIMEOUT", "seconds")
    _in_workflow(run, "TIMEOUT").step_policy_set(timeout=seconds, phrase="TIMEOUT")


# --- BOT ------------------------------------------------------------------------------------


def _bot(run: Any, args: dict) -> Suspend:
    host = engine_host(run, "BOT")
    name = values.to_text(args["bot"]).strip()
    task = values.to_text(args["task"]).strip()
    if not name:
        raise WorkflowKeywordError('BOT needs the name of a bot: BOT "classifier" "analyze the complaint"')
    host.bot_check(name)
    return Suspend(
        "bot", {"key": run.effects, "bot": name, "task": task, "variables": visible_variables(run)}
    )


def _child_outcome(prefix: str, value: Any) -> Any:
    """The value a child run answered, or its failure raised at the keyword that waited."""
    if isinstance(value, dict) and CHILD_ERROR in value:
        raise WorkflowKeywordError(f"{prefix}{value[CHILD_ERROR]}")
    return value


def _bot_done(run: Any, args: dict, value: Any) -> Any:
    return _child_outcome(f'BOT "{values.to_text(args["bot"])}" ', value)


# --- PARALLEL / BRANCH ------------------------------------------------------------------------


def _parallel(run: Any, args: dict) -> Suspend:
    engine_host(run, "PARALLEL")
    sections = args.get("#sections") or []
    if not sections:
        raise WorkflowKeywordError("PARALLEL needs at least one BRANCH: BRANCH A: ... END PARALLEL")
    branches, seen = [], set()
    for _phrase, section_args, entry in sections:
        name = str(section_args["name"])
        if name.lower() in seen:
            raise WorkflowKeywordError(
                f"PARALLEL has two branches named {name}; give each BRANCH its own name"
            )
        seen.add(name.lower())
        branches.append({"name": name, "entry": entry})
    return Suspend(
        "parallel", {"key": run.effects, "branches": branches, "variables": visible_variables(run)}
    )


def _merge_branches(run: Any, outcome: dict[str, Any]) -> None:
    """Each branch's new and changed variables, in branch order (a later branch wins a tie)."""
    target = run.frames[-1].vars
    for changes in outcome.values():
        for name, value in changes.items():
            target[name] = ops.cp(value)


def _parallel_done(run: Any, args: dict, value: Any) -> dict[str, Any]:
    outcome = _child_outcome("PARALLEL: ", value)
    _merge_branches(run, outcome)
    return outcome


def _branch(run: Any, args: dict) -> None:
    raise WorkflowKeywordError("BRANCH is only allowed inside PARALLEL ... END PARALLEL")


# --- HUMAN APPROVAL ---------------------------------------------------------------------------

_TIMEOUT_ACTION = re.compile(
    r"""^\s*(?:
        ESCALATE\s+TO\s+(?P<to>"[^"]*"|\S+)
      | (?P<approve>APPROVE)(?P<warning>\s+WITH\s+WARNING)?
      | REJECT(?P<reason>\s+.*)?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def timeout_action(text: str) -> dict[str, Any]:
    """``ON TIMEOUT:`` text as data: escalate (to whom), approve (with warning) or reject (why)."""
    match = _TIMEOUT_ACTION.match(text or "")
    if match is None:
        raise WorkflowKeywordError(
            f'ON TIMEOUT: {text.strip()!r} is not an action; write ESCALATE TO "person", APPROVE, '
            "APPROVE WITH WARNING or REJECT [reason]"
        )
    if match.group("to"):
        return {"action": "escalate", "to": match.group("to").strip('"').strip()}
    if match.group("approve"):
        return {"action": "approve", "warning": bool(match.group("warning"))}
    return {"action": "reject", "reason": (match.group("reason") or "").strip()}


def _human_approval(run: Any, args: dict) -> Suspend:
    host = engine_host(run, "HUMAN APPROVAL")
    approver = values.to_text(args["approver"]).strip()
    if not approver:
        raise WorkflowKeywordError(
            'HUMAN APPROVAL needs who approves: HUMAN APPROVAL FROM "manager@company.com"'
        )
    seconds = None
    if args.get("seconds") is not None:
        seconds = _positive(args["seconds"], "HUMAN APPROVAL", "seconds of TIMEOUT")
    action = None
    if args.get("action") is not None:
        if seconds is None:
            raise WorkflowKeywordError("HUMAN APPROVAL: ON TIMEOUT needs a TIMEOUT to act on (TIMEOUT 3600)")
        action = timeout_action(str(args["action"]))
    subject = values.to_text(args.get("subject", "")).strip()
    return Suspend(
        "approval",
        {
            "key": run.effects,
            "approver": approver,
            "seconds": seconds,
            "on_timeout": action,
            "on_timeout_text": str(args.get("action") or ""),
            "subject": subject,
            "step": host.current_step_label,
            "line": run.line,
        },
    )


def _human_approval_done(run: Any, args: dict, value: Any) -> dict[str, Any]:
    decision = _child_outcome("HUMAN APPROVAL: ", value)
    if not decision.get("approved") and not run.target:
        reason = f": {decision['comment']}" if decision.get("comment") else ""
        raise WorkflowKeywordError(f"HUMAN APPROVAL was rejected by {decision.get('by') or 'nobody'}{reason}")
    return decision


# --- DELAY ------------------------------------------------------------------------------------


def _delay(run: Any, args: dict) -> Suspend:
    return timer_wait(run, _positive(args["seconds"], "DELAY", "seconds", allow_zero=True))


WORKFLOW_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "ORCHESTRATE WORKFLOW",
        ("{name}",),
        _orchestrate,
        category=CATEGORY,
        summary="Run the rest of the script (up to END WORKFLOW, or its end) as a durable workflow on "
        "the workers: its steps survive restarts, and waits hold no worker.",
        example='ORCHESTRATE WORKFLOW "order-processing"\nSTEP 1: BOT "validator" "check the order"\n'
        "END WORKFLOW",
    ),
    KeywordSpec(
        "END WORKFLOW",
        ("",),
        _end_workflow,
        category=CATEGORY,
        summary="End the workflow's last step; lines after it still run in the workflow, as plain code.",
        example="END WORKFLOW",
    ),
    KeywordSpec(
        "STEP",
        ("{label:word}:", "{label:word} {title}:", "{label}:", "{label} {title}:"),
        _step,
        category=CATEGORY,
        summary="Begin a step, labelled by a number or a word (`STEP 1:`, `STEP validate:`) with an "
        "optional title: the lines up to the next STEP (or END WORKFLOW) are one unit that is recorded, "
        "retried (RETRY) and timed (TIMEOUT) as a whole. A statement may follow the colon.",
        example='STEP 1: BOT "classifier" "analyze complaint"\nSTEP 2 "notify":\n  TALK "done"',
    ),
    KeywordSpec(
        "RETRY",
        ("{times}",),
        _retry,
        category=CATEGORY,
        summary="Retry the current step up to this many times when it fails, waiting 1 s, 2 s, 4 s... "
        "(exponential back-off) before each retry. Put it first in the step.",
        example='STEP 2: RETRY 3\n  result = BOT "payments" "charge the card"',
    ),
    KeywordSpec(
        "TIMEOUT",
        ("{seconds}",),
        _timeout,
        category=CATEGORY,
        summary="Fail the current step (and retry it, with RETRY) when it has not ended this many "
        "seconds after it began. Put it first in the step.",
        example='STEP 3: TIMEOUT 60\n  BOT "shipping" "book a courier"',
    ),
    KeywordSpec(
        "BOT",
        ("{bot} {task}",),
        _bot,
        on_resume=_bot_done,
        effect=True,
        category=CATEGORY,
        summary="Run another bot for a task and wait for its answer: its tool named by the task "
        '("process refund" runs process_refund.bas) or else its start.bas, with the variable '
        "`task` and the workflow's variables. The answer is its RETURN value, else what it TALKed.",
        example='STEP 1: category = BOT "classifier" "analyze complaint"',
    ),
    KeywordSpec(
        "PARALLEL",
        ("",),
        _parallel,
        on_resume=_parallel_done,
        on_replay=_merge_branches,
        effect=True,
        block_end="END PARALLEL",
        sections=("BRANCH",),
        category=CATEGORY,
        summary="Run each BRANCH at once, on different workers, each with a copy of the variables; "
        "continue when all have ended, with the variables each branch set. A failed branch fails "
        "the PARALLEL and names the branch.",
        example='PARALLEL\n  BRANCH A: BOT "refunds" "process refund"\n  BRANCH B: BOT "stock" '
        '"update stock levels"\nEND PARALLEL',
    ),
    KeywordSpec(
        "BRANCH",
        ("{name:word}:",),
        _branch,
        category=CATEGORY,
        summary="One branch of a PARALLEL: the lines up to the next BRANCH or END PARALLEL.",
        example='BRANCH A: TALK "in A"',
    ),
    KeywordSpec(
        "HUMAN APPROVAL",
        ("FROM {approver} [FOR {subject}] [TIMEOUT {seconds}] [ON TIMEOUT: {action:raw}]",),
        _human_approval,
        on_resume=_human_approval_done,
        effect=True,
        category=CATEGORY,
        summary="Wait for a person to approve or reject (at /approvals/ or in the admin). Gives a map "
        "with approved, decision, comment, by and at; a rejection stops the step unless the "
        'result is assigned. ON TIMEOUT: ESCALATE TO "x" | APPROVE [WITH WARNING] | REJECT [why].',
        example='STEP 3: HUMAN APPROVAL FROM "manager@company.com"\n    TIMEOUT 1800\n'
        '    ON TIMEOUT: ESCALATE TO "director@company.com"',
    ),
    KeywordSpec(
        "DELAY",
        ("{seconds}",),
        _delay,
        on_resume=timer_done,
        category=CATEGORY,
        summary="Wait this many seconds without holding a worker (a timer row wakes the workflow).",
        example="DELAY 86400",
    ),
)
