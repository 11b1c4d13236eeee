"""Every BASIC example of docs/guides/workflows.md, multi-agent.md and events.md runs, and
says what the guide shows.

In the guides, each ```basic block is preceded by the file it is (for the reader) and a marker
naming the bot and file (for this test)::

    `support.gbai/support.gbdialog/complaint.bas`:

    <!-- bot: support file: complaint.bas run: workflow inputs: {"customer": "Ana"} -->

Blocks up to the next ```text block form one example: their packages are built, the block
marked ``run`` is run, and what it said must equal the ```text block. ``run: workflow`` runs the
script as a workflow in the foreground (the engine code the workers use); each time it stops at
a HUMAN APPROVAL without a TIMEOUT, the next of the ``decide:`` actions is taken
(``approve WHO comment`` or ``reject WHO comment``, separated by ``;``); one with a TIMEOUT is
waited for; events it publishes are delivered in the foreground too, so the ON EVENT handlers they
start run (and TALK) there. The output is every TALK, then ``(failed: error)`` when the workflow
failed.
``run: chat`` posts each ``say:`` message (separated by ``|``) to the bot; the output is
``> message`` and the replies after each.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from bots.models import Bot
from bots.services import package_sync_all
from events.bus import deliver_here
from tests.bots.conversation_support import say
from tests.workflows.support import start
from workflows.approvals import approval_decide
from workflows.engine import LocalDispatch
from workflows.engine.foreground import run_foreground
from workflows.models import ApprovalRequest, ExecutionStatus

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

GUIDE_NAMES = ("workflows.md", "multi-agent.md", "events.md")
GUIDES = [Path(settings.BASE_DIR) / "docs" / "guides" / name for name in GUIDE_NAMES]
MARKER = re.compile(r"<!--\s*(bot:.*?)\s*-->\s*\n```basic\n(.*?)```\n", re.DOTALL)
KEYS = re.compile(r"\b(bot|file|run|inputs|say|decide):\s*")
BLOCK = re.compile(r"```(basic|text)\n(.*?)```\n", re.DOTALL)


@dataclass
class Example:
    guide: str
    line: int
    files: list[tuple[str, str, str]] = field(default_factory=list)  # bot, file, source
    run: dict[str, str] = field(default_factory=dict)
    expected: str = ""

    @property
    def id(self) -> str:
        return f"{self.guide}:{self.line}"


def marker_fields(text: str) -> dict[str, str]:
    parts = KEYS.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def examples_of(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    markers = {match.start(2): marker_fields(match.group(1)) for match in MARKER.finditer(text)}
    for match in MARKER.finditer(text):  # the reader sees the file a script is in, as the test builds it
        where = markers[match.start(2)]
        caption = f"`{where['bot']}.gbai/{where['bot']}.gbdialog/{where['file']}`:"
        line = text.count("\n", 0, match.start()) + 1
        assert text[: match.start()].rstrip().endswith(caption), f"{path.name}:{line}: no {caption} above"
    examples: list[Example] = []
    current: Example | None = None
    for block in BLOCK.finditer(text):
        line = text.count("\n", 0, block.start()) + 1
        if block.group(1) == "text":
            if current is not None:
                current.expected = block.group(2)
                examples.append(current)
                current = None
            continue
        where = markers.get(block.start(2))
        assert where is not None, f"{path.name}:{line}: a ```basic block without its <!-- bot: .. -->"
        if current is None:
            current = Example(path.name, line)
        current.files.append((where["bot"], where["file"], block.group(2)))
        if "run" in where:
            assert not current.run, f"{path.name}:{line}: two blocks of one example are marked run"
            current.run = where
    assert current is None, f"{path.name}:{current.line}: an example without a ```text block of its output"
    for example in examples:
        assert example.run, f"{path.name}:{example.line}: no block of this example is marked run"
    return examples


EXAMPLES = [example for guide in GUIDES for example in examples_of(guide)]


def test_every_guide_has_examples_with_their_output() -> None:
    assert {example.guide for example in EXAMPLES} == set(GUIDE_NAMES)
    assert all(example.expected.strip() for example in EXAMPLES)
    for guide in GUIDES:  # no ```basic block escapes the examples
        text = guide.read_text(encoding="utf-8")
        assert text.count("```basic\n") == sum(len(e.files) for e in EXAMPLES if e.guide == guide.name)


def build(example: Example, make_package) -> dict[str, Bot]:
    bots = sorted({bot for bot, _file, _source in example.files})
    for bot in bots:
        files = {f"{bot}.gbdialog/{file}": source for name, file, source in example.files if name == bot}
        make_package(bot, files)
    package_sync_all(roots=[make_package.root])
    return {bot: Bot.objects.get(name=bot) for bot in bots}


def decide(root_id: int, action: str, dispatch: LocalDispatch) -> None:
    pending = ApprovalRequest.objects.filter(execution__in=_tree(root_id), status="pending").order_by("id")
    request = pending.first()
    assert request is not None, f"nothing to {action}"
    verb, who, *comment = action.split(" ", 2)
    assert who.lower() == request.approver.lower(), f"the request is for {request.approver}, not {who}"
    user, _ = get_user_model().objects.get_or_create(username=who, defaults={"email": who})
    approval_decide(request, user=user, approve=verb == "approve", comment=" ".join(comment),
                    dispatch=dispatch)


def _tree(root_id: int) -> list[int]:
    from workflows.models import WorkflowExecution

    return [root_id, *WorkflowExecution.objects.filter(root_id=root_id).values_list("pk", flat=True)]


def run_workflow(example: Example, bots: dict[str, Bot]) -> str:
    said: list[str] = []
    dispatch = LocalDispatch()
    inputs = json.loads(example.run.get("inputs") or "{}")
    execution = start(bots[example.run["bot"]], Path(example.run["file"]).stem, inputs, dispatch=dispatch)
    actions = [a.strip() for a in example.run.get("decide", "").split(";") if a.strip()]
    while True:
        with deliver_here(dispatch):
            outcome = run_foreground(
                execution, dispatch, on_talk=lambda _e, message: said.append(message.content), max_sleep=0.05
            )
        if not outcome.needs_person:
            break
        waits_for = outcome.needs_person[0].approver
        assert actions, f"the workflow waits for {waits_for} and the example decides nothing"
        decide(execution.pk, actions.pop(0), dispatch)
    root = outcome.execution
    assert not actions, f"left undone: {actions}"
    assert root.status in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED), root.status
    if root.status == ExecutionStatus.FAILED:
        said.append(f"(failed: {root.error})")
    return "".join(line + "\n" for line in said)


def run_chat(example: Example, bots: dict[str, Bot]) -> str:
    lines: list[str] = []
    conversation = None
    for message in example.run["say"].split("|"):
        conversation, replies = say(bots[example.run["bot"]], message.strip(), conversation=conversation)
        lines += [f"> {message.strip()}", *replies]
    return "".join(line + "\n" for line in lines)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_the_example_says_what_the_guide_shows(example: Example, make_package) -> None:
    bots = build(example, make_package)
    runner = {"workflow": run_workflow, "chat": run_chat}[example.run["run"]]
    assert runner(example, bots) == example.expected
