"""Suspension and resumption through JSON, preemption, journaling of effects, CALL of scripts."""

from __future__ import annotations

import json

from basic.compiler import compile_program
from basic.host import BufferHost
from basic.journal import MemoryJournal
from basic.limits import Limits
from basic.registry import KeywordRegistry, KeywordSpec, Suspend
from basic.vm import resume, start
from tests.basic.vm_support import compile_text, output, run


def test_hear_suspends_and_resumes_in_a_fresh_context():
    script = compile_text('TALK "name?"\nHEAR name\nTALK "hi " + name')
    host = BufferHost()
    first = start(script, host)
    assert first.status == "waiting" and first.waiting_for == "input"
    assert first.detail == {"variable": "name"}
    state = json.loads(first.state_json)
    second = resume(script, state, "Ana", BufferHost())
    assert second.status == "finished"
    # The saved state is untouched: resuming it again gives the same continuation.
    other = BufferHost()
    resume(script, state, "Bo", other)
    assert other.output == ["hi Bo"]


def test_resume_inside_loops_subs_and_nested_blocks():
    src = """
SUB Ask(prompt)
  TALK prompt
  HEAR answer
  IF answer <> "" THEN
    FOR EACH w IN SPLIT(answer, " ")
      TALK "word " + w
    NEXT
  END IF
END SUB
total = 0
FOR i = 1 TO 2
  Ask("q" + i)
  WHILE total < i * 10
    HEAR n AS INTEGER
    total = total + n
  WEND
NEXT
TALK "total " + total
"""
    out = output(src, ["a b", "4", "7", "c", "9"])
    assert out == ["q1", "word a", "word b", "q2", "word c", "total 20"]


def test_hear_inside_a_function_used_in_an_expression():
    src = """
FUNCTION AskNumber()
  HEAR x AS NUMBER
  RETURN x
END FUNCTION
TALK "sum " + (AskNumber() + AskNumber())
"""
    assert output(src, ["2", "40"]) == ["sum 42"]


def test_keyword_in_and_condition_only_runs_when_needed():
    reg = KeywordRegistry()
    calls = []

    def ask(run, args):
        calls.append(args["q"])
        return True

    from basic.keywords import register_core

    register_core(reg)
    reg.register(KeywordSpec("ASK", ("{q}",), ask, summary="test", example='x = ASK "q"'))
    from basic.parser import parse

    src = 'a = 0\nIF a = 1 AND ASK("first") THEN TALK "x"\nIF a = 0 OR ASK("second") THEN TALK "y"\n'
    script = compile_program(parse(src, file="t.bas", registry=reg), reg)
    host = BufferHost()
    assert start(script, host).status == "finished"
    assert calls == [] and host.output == ["y"]


def _counting_registry():
    from basic.keywords import register_core
    from basic.parser import parse

    reg = register_core(KeywordRegistry())
    effects: list = []

    def send(run, args):
        effects.append(args["what"])
        return f"sent {args['what']}"

    reg.register(KeywordSpec("SEND IT", ("{what}",), send, summary="test effect",
                             example='r = SEND IT "x"', effect=True))

    def compile_src(src: str):
        return compile_program(parse(src, file="t.bas", registry=reg), reg)

    return effects, compile_src


def test_journal_prevents_repeating_a_completed_effect():
    effects, compile_src = _counting_registry()
    script = compile_src('HEAR a\nr = SEND IT "mail"\nTALK r\nHEAR b\nTALK "done " + b\n')
    journal = MemoryJournal()
    host = BufferHost()
    first = start(script, host, journal=journal)
    saved_before_effect = json.loads(first.state_json)
    second = resume(script, saved_before_effect, "x", host, journal=journal)
    assert second.status == "waiting" and effects == ["mail"]
    # A crash after the effect: the run is resumed again from the older state.
    replay_host = BufferHost()
    third = resume(script, saved_before_effect, "x", replay_host, journal=journal)
    assert effects == ["mail"], "the effect must not run twice"
    assert replay_host.output == ["sent mail"], "the recorded result is used instead"
    final = resume(script, json.loads(third.state_json), "end", replay_host, journal=journal)
    assert final.status == "finished" and replay_host.output[-1] == "done end"


def test_without_the_journal_entry_the_effect_runs():
    effects, compile_src = _counting_registry()
    script = compile_src('FOR i = 1 TO 3\n  SEND IT "n" + i\nNEXT\n')
    assert start(script, BufferHost(), journal=MemoryJournal()).status == "finished"
    assert effects == ["n1", "n2", "n3"]


def test_effect_that_suspends_records_the_result_given_on_resume():
    from basic.keywords import register_core
    from basic.parser import parse

    reg = register_core(KeywordRegistry())
    started = []

    def ask_bot(run, args):
        started.append(args["task"])
        return Suspend("bot", {"task": args["task"]})

    reg.register(KeywordSpec("ASK BOT", ("{task}",), ask_bot, summary="t", example="x", effect=True))
    script = compile_program(parse('r = ASK BOT "sum"\nTALK r\nHEAR z\n', file="t.bas", registry=reg), reg)
    journal = MemoryJournal()
    first = start(script, BufferHost(), journal=journal)
    assert first.waiting_for == "bot" and first.detail == {"task": "sum"}
    host = BufferHost()
    second = resume(script, json.loads(first.state_json), 42, host, journal=journal)
    assert host.output == ["42"] and second.waiting_for == "input"
    assert journal.get(1) == (True, 42)


def test_pause_and_resume_at_every_step_gives_the_same_output():
    src = """
s = 0
FOR i = 1 TO 30
  IF i MOD 2 = 0 THEN s = s + i
  IF i MOD 10 = 0 THEN TALK "at " + i + " " + s
NEXT
DO WHILE s > 0
  s = s - 100
LOOP
TALK s
"""
    expected = output(src)
    for steps in (1, 2, 3, 7):
        result, host = run(src, limits=Limits(slice_steps=steps))
        assert result.status == "finished" and host.output == expected


def test_paused_state_is_json():
    script = compile_text("FOR i = 1 TO 100\n  x = x + i\nNEXT\nTALK x")
    first = start(script, BufferHost(), limits=Limits(slice_steps=10))
    assert first.status == "paused"
    assert json.loads(first.state_json) == first.state
    host = BufferHost()
    result = first
    while result.status == "paused":
        result = resume(script, json.loads(result.state_json), None, host, limits=Limits(slice_steps=10))
    assert host.output == ["5050"]


def test_state_of_another_script_version_is_refused():
    one = compile_text("HEAR x\nTALK x")
    two = compile_text("HEAR x\nTALK x + 1")
    first = start(one, BufferHost())
    result = resume(two, first.state, "1", BufferHost())
    assert result.status == "failed" and "another version" in str(result.error)


def test_call_of_another_script_binds_its_params():
    other = ('PARAM who AS STRING DESCRIPTION "who"\nPARAM n AS INTEGER DESCRIPTION "n"\n'
             'TALK "hi " + who + n\nHEAR z\nTALK "got " + z\n')
    host = BufferHost({"greet": (other, "greet.bas")})
    result, host = run('CALL greet("Ana", 2)\nTALK "back"', ["ok"], host=host)
    assert result.status == "finished"
    assert host.output == ["hi Ana2", "got ok", "back"]


def test_call_of_a_missing_script_is_a_clear_error():
    result, _ = run('x = 1\nCALL nosuchthing(1)')
    assert result.status == "failed"
    message = str(result.error)
    assert message.startswith("test.bas:2:") and "nosuchthing" in message


def test_inputs_become_variables():
    result, host = run("TALK name + \"/\" + age", inputs={"Name": "Ana", "age": 3})
    assert host.output == ["Ana/3"]


def test_wait_suspends_with_a_timer():
    script = compile_text("WAIT 2\nTALK \"after\"")
    first = start(script, BufferHost())
    assert first.waiting_for == "timer" and first.detail["seconds"] == 2 and "until" in first.detail
    host = BufferHost()
    assert resume(script, first.state, None, host).status == "finished" and host.output == ["after"]
