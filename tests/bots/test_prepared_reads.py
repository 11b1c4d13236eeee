"""Prepared queries (SQL the ORM compiles once, run with each call's values) do what the ORM
does: reads give the same rows, converted values, annotations and select_related objects;
updates store the same values, with their filter."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from basic.compiler import source_hash
from bots.models import Bot, Conversation, DialogRun, Message, Role, RunStatus, ScriptVersion
from bots.runtime.prepared import PreparedInsert, PreparedRead, PreparedUpdate
from bots.runtime.scripts import script_version_get, script_version_pin
from events.models import WorkflowEvent
from workflows.models import WorkflowExecution

pytestmark = pytest.mark.django_db


def _messages(conversation_id: int, role: str) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation_id=conversation_id, role=role)
        .select_related("conversation__bot")
        .annotate(bot_name=F("conversation__bot__name"))
        .order_by("id")
    )


MESSAGES = PreparedRead(_messages, conversation_id=int, role=str)


def _conversation(bot: Bot, key: str) -> Conversation:
    conversation = Conversation.objects.create(bot=bot, user_key=key, context={"a": [1, "é"]})
    for index in range(3):
        Message.objects.create(conversation=conversation, role=Role.USER, content=f"{key} {index}")
        Message.objects.create(
            conversation=conversation, role=Role.BOT, content=f"re {index}", source={"line": index}
        )
    return conversation


def test_a_prepared_read_returns_what_the_orm_returns_for_each_calls_values() -> None:
    bot = Bot.objects.create(name="prep")
    first, second = _conversation(bot, "ana"), _conversation(bot, "bia")
    for conversation in (first, second):
        for role in (Role.USER, Role.BOT):
            prepared = MESSAGES.list(conversation_id=conversation.pk, role=role)
            orm = list(_messages(conversation.pk, role))
            assert [m.pk for m in prepared] == [m.pk for m in orm] and len(prepared) == 3
            for got, want in zip(prepared, orm, strict=True):
                assert (got.content, got.source, got.created_at, got.status) == (
                    want.content,
                    want.source,
                    want.created_at,
                    want.status,
                )
                assert got.bot_name == "prep"
                # select_related objects come attached, with their own converted values.
                assert got.conversation.context == {"a": [1, "é"]}
                assert got.conversation.bot.name == "prep"
                assert got._state.adding is False and got._state.db == "default"
    assert MESSAGES.list(conversation_id=first.pk + second.pk + 100, role=Role.USER) == []
    assert MESSAGES.first(conversation_id=second.pk, role=Role.BOT).content == "re 0"


def test_an_argument_that_does_not_reach_the_sql_as_one_value_is_refused() -> None:
    transformed = PreparedRead(lambda name: Bot.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ValueError, match="must reach its SQL once"):
        transformed.list(name="x")
    unused = PreparedRead(lambda name: Bot.objects.all(), name=str)
    with pytest.raises(ValueError, match="must reach its SQL once"):
        unused.list(name="x")
    with pytest.raises(TypeError, match="int, str, UUID or datetime"):
        PreparedRead(lambda when: Bot.objects.filter(created_at=when), when=float).list(when=1.0)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction_as_with_the_orm() -> None:
    bot = Bot.objects.create(name="locks")
    locking = PreparedRead(lambda name: Bot.objects.select_for_update().filter(name=name), name=str)
    with transaction.atomic():
        assert [found.pk for found in locking.list(name="locks")] == [bot.pk]
    with pytest.raises(TransactionManagementError):
        locking.list(name="locks")


def test_a_cached_script_version_is_never_served_for_an_id_reused_after_a_rollback() -> None:
    with transaction.atomic():
        doomed = script_version_pin('TALK "one"\n')
        assert script_version_get(doomed.pk, doomed.hash).source == 'TALK "one"\n'
        transaction.set_rollback(True)
    # Stored by another process (not through this one's cache); SQLite gives it the freed id.
    source = 'TALK "two"\n'
    kept = ScriptVersion.objects.create(hash=source_hash(source), source=source)
    assert script_version_get(kept.pk, kept.hash).source == source
    assert not ScriptVersion.objects.filter(source='TALK "one"\n').exists()


def test_the_waiting_run_is_read_with_its_version_its_agent_and_the_queue() -> None:
    from bots.runtime.services import _waiting_run

    bot = Bot.objects.create(name="runs")
    conversation = Conversation.objects.create(bot=bot)
    version = script_version_pin("HEAR x\nTALK x\n")
    assert _waiting_run(conversation) is None
    older = DialogRun.objects.create(
        conversation=conversation, script="s.bas", script_version=version, status=RunStatus.WAITING
    )
    newer = DialogRun.objects.create(
        conversation=conversation,
        script="s.bas",
        script_version=version,
        status=RunStatus.WAITING,
        detail={"variable": "x"},
    )
    run = _waiting_run(conversation)
    assert run.pk == newer.pk != older.pk and run.detail == {"variable": "x"}
    assert run.script_version.source == "HEAR x\nTALK x\n"
    assert not run.queued
    with pytest.raises(DialogRun.agent.RelatedObjectDoesNotExist):
        run.agent  # noqa: B018 - known to be absent without a query
    Message.objects.create(conversation=conversation, role=Role.USER, content="later", status="pending")
    assert _waiting_run(conversation).queued


def _run_at(run_id: int, version: int) -> QuerySet[DialogRun]:
    return DialogRun.objects.filter(pk=run_id, version=version)


RUN_UPDATE = PreparedUpdate(_run_at, run_id=int, version=int)


def test_a_prepared_update_sets_what_queryset_update_sets_and_checks_its_filter() -> None:
    bot = Bot.objects.create(name="upd")
    conversation = Conversation.objects.create(bot=bot)
    version = script_version_pin("HEAR x\n")
    run = DialogRun.objects.create(conversation=conversation, script="s.bas", script_version=version)
    due = timezone.now() + timedelta(minutes=5)
    values = {"version": 1, "status": RunStatus.WAITING, "detail": {"options": ["a", "é"]}, "due_at": due}
    assert RUN_UPDATE.run(values, run_id=run.pk, version=0) == 1
    stored = DialogRun.objects.get(pk=run.pk)
    assert (stored.version, stored.status, stored.detail) == (1, "waiting", values["detail"])
    assert stored.due_at == due
    # The filter is part of it: a stale version changes nothing.
    assert RUN_UPDATE.run({"version": 9, "status": RunStatus.FINISHED}, run_id=run.pk, version=0) == 0
    # None becomes NULL, and another shape of values gets SQL of its own.
    assert RUN_UPDATE.run({"version": 2, "due_at": None}, run_id=run.pk, version=1) == 1
    stored = DialogRun.objects.get(pk=run.pk)
    assert (stored.version, stored.due_at, stored.status) == (2, None, "waiting")
    assert RUN_UPDATE.run({"version": 3, "due_at": due}, run_id=run.pk, version=2) == 1
    assert DialogRun.objects.get(pk=run.pk).due_at == due
    with pytest.raises(TypeError, match="plain values"):
        RUN_UPDATE.run({"version": F("version") + 1}, run_id=run.pk, version=3)
    joined = PreparedUpdate(lambda name: DialogRun.objects.filter(conversation__bot__name=name), name=str)
    with pytest.raises(ValueError, match="one table"):
        joined.run({"status": RunStatus.FINISHED}, name="upd")


def _events_since(event_id: UUID, since: datetime) -> QuerySet[WorkflowEvent]:
    return WorkflowEvent.objects.filter(pk=event_id, created_at__gte=since)


EVENTS_SINCE = PreparedRead(_events_since, event_id=UUID, since=datetime)
EVENT_UPDATE = PreparedUpdate(lambda event_id: WorkflowEvent.objects.filter(pk=event_id), event_id=UUID)


def test_uuid_and_datetime_arguments_are_prepared_as_their_fields_prepare_them() -> None:
    bot = Bot.objects.create(name="uuids")
    event = WorkflowEvent.objects.create(bot=bot, event_name="e", event_data={"n": 1})
    before, after = event.created_at - timedelta(seconds=1), event.created_at + timedelta(seconds=1)
    # A UUID, or its text (as a wake-up message carries it), finds the row; a later moment does not.
    assert [found.pk for found in EVENTS_SINCE.list(event_id=event.pk, since=before)] == [event.pk]
    assert EVENTS_SINCE.first(event_id=str(event.pk), since=event.created_at).event_data == {"n": 1}
    assert EVENTS_SINCE.list(event_id=event.pk, since=after) == []
    assert EVENT_UPDATE.run({"handler_count": 3, "delivered_at": after}, event_id=str(event.pk)) == 1
    stored = WorkflowEvent.objects.get(pk=event.pk)
    assert (stored.handler_count, stored.delivered_at) == (3, after)


EXECUTION_INSERT = PreparedInsert(WorkflowExecution)


def test_a_prepared_insert_writes_what_save_writes_and_sets_the_generated_key() -> None:
    bot = Bot.objects.create(name="inserts")
    version = script_version_pin('TALK "x"\n')
    rows = [
        WorkflowExecution(bot=bot, script="a.bas", script_version=version, inputs={"é": [1, None]}),
        WorkflowExecution(bot=bot, script="b.bas", script_version=version, workflow_name="named"),
    ]
    for row in rows:
        assert EXECUTION_INSERT.save(row) is row and row.pk is not None and not row._state.adding
        stored = WorkflowExecution.objects.get(pk=row.pk)
        assert (stored.script, stored.inputs, stored.workflow_name, stored.status) == (
            row.script,
            row.inputs,
            row.workflow_name,
            row.status,
        )
        assert stored.created_at == row.created_at is not None  # auto_now_add stamped as save does
    assert rows[0].pk != rows[1].pk
    with pytest.raises(TypeError, match="plain values"):
        EXECUTION_INSERT.save(WorkflowExecution(bot=bot, script=F("entry"), script_version=version))
