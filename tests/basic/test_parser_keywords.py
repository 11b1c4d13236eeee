"""Keyword statements come from the registry: phrases, forms, values, blocks and sections."""

from __future__ import annotations

import pytest

from basic import nodes as n
from basic.parser import parse
from basic.registry import KeywordRegistry, KeywordSpec


@pytest.fixture
def p(kw_registry):
    def run(source: str) -> n.Program:
        return parse(source, file="t.bas", registry=kw_registry)

    return run


def call_of(program: n.Program, index: int = 0) -> n.KeywordCall:
    stmt = program.body[index]
    if isinstance(stmt, n.Assign):
        return stmt.value
    if isinstance(stmt, (n.Command, n.KeywordBlock)):
        return stmt.call
    raise AssertionError(f"not a keyword statement: {stmt}")


def test_multi_word_phrase_with_two_slots(p):
    call = call_of(p('SET BOT MEMORY "k", 1 + 2'))
    assert call.phrase == "SET BOT MEMORY" and call.args["key"] == n.Literal(1, 16, "k")
    assert call.args["value"].op == "+" and (call.line, call.column) == (1, 1)


def test_underscore_spelling_of_a_phrase(p):
    call = call_of(p('SET_BOT_MEMORY "k", 1'))
    assert call.phrase == "SET BOT MEMORY"


def test_longest_phrase_wins(p):
    assert call_of(p('ADD SUGGESTION TOOL "t" AS "Label"')).phrase == "ADD SUGGESTION TOOL"
    call = call_of(p('ADD SUGGESTION "ctx" AS "text"'))
    assert call.phrase == "ADD SUGGESTION" and call.form == 0 and set(call.args) == {"context", "text"}
    call = call_of(p('ADD SUGGESTION "just text"'))
    assert call.form == 1 and call.args == {"text": n.Literal(1, 16, "just text")}


def test_forms_are_tried_in_order(p):
    word = call_of(p("HEAR answer AS EMAIL"))
    assert word.form == 0 and word.args == {"target": "answer", "kind": "EMAIL"}
    menu = call_of(p('HEAR Choice AS "Yes", "No"'))
    assert menu.form == 1 and menu.args["target"] == "choice" and len(menu.args["options"]) == 2
    plain = call_of(p("HEAR name"))
    assert plain.form == 2 and plain.args == {"target": "name"}


def test_exprs_slot_and_empty_form(p):
    assert len(call_of(p('PRINT "a", b, 1 + 2')).args["values"]) == 3
    empty = call_of(p("PRINT"))
    assert empty.args == {} and empty.form == 1


def test_optional_groups_and_flags(p):
    call = call_of(p('PUBLISH EVENT "done" WITH data TO BOT "b" TO ALL'))
    assert call.args["name"].value == "done" and call.args["data"] == n.Name(1, 27, "data")
    assert call.args["bot"].value == "b" and call.args["to_all"] is True
    only = call_of(p('PUBLISH EVENT "done" TO ALL'))
    assert set(only.args) == {"name", "to_all"}
    plain = call_of(p('PUBLISH EVENT "done"'))
    assert plain.args == {"name": n.Literal(1, 15, "done")}


def test_wait_for_event_with_timeout(p):
    call = call_of(p('WAIT FOR EVENT "approval" TIMEOUT 3600'))
    assert call.phrase == "WAIT FOR EVENT" and call.args["seconds"].value == 3600


def test_both_documented_signatures_are_accepted(p):
    short = call_of(p('DELEGATE TO "sales"'))
    assert short.form == 0 and short.args["bot"].value == "sales"
    long = call_of(p('result = DELEGATE "check stock" TO BOT "inventory" TIMEOUT 30'))
    assert long.form == 1 and long.args["task"].value == "check stock" and long.args["seconds"].value == 30


def test_variable_named_like_a_clause_word_is_an_argument(p):
    call = call_of(p("TALK TO to, msg"))
    assert call.args["recipient"] == n.Name(1, 9, "to")


def test_raw_slot_takes_the_rest_of_the_line(p):
    assert call_of(p("SET SCHEDULE every 1 hour ' hourly")).args == {"when": "every 1 hour"}
    assert call_of(p('SET SCHEDULE "0 9 * * *"')).args == {"when": "0 9 * * *"}


def test_juxtaposed_expressions(p):
    call = call_of(p('BOT "classifier" "analyze complaint"'))
    assert call.args["bot"].value == "classifier" and call.args["task"].value == "analyze complaint"


def test_keyword_as_the_value_of_an_assignment(p):
    stmt = p('answer = LLM "Summarise " + text')
    assert isinstance(stmt.body[0], n.Assign) and stmt.body[0].value.phrase == "LLM"
    assert stmt.body[0].value.args["prompt"].op == "+"


def test_zero_argument_keyword_as_a_value_and_plain_names(p):
    assert call_of(p("t = NOW")).phrase == "NOW"
    assert p("t = wait").body[0].value == n.Name(1, 5, "wait")


def test_keyword_call_inside_an_expression(p):
    value = p('x = "Hi " + GET BOT MEMORY("name")').body[0].value
    assert isinstance(value.right, n.KeywordCall) and value.right.args["key"].value == "name"
    value = p('x = GET_BOT_MEMORY("name")').body[0].value
    assert value.phrase == "GET BOT MEMORY"
    value = p('rows = FIND("orders", "status=open")').body[0].value
    assert value.phrase == "FIND" and value.args["filter"].value == "status=open"


def test_plain_function_calls_stay_calls(p):
    value = p("x = LEN(name)").body[0].value
    assert value == n.Call(1, 5, "len", [n.Name(1, 9, "name")])


def test_keyword_written_as_a_call_statement(p):
    assert call_of(p('TALK("hi")')).args["message"].value == "hi"
    assert call_of(p('GET BOT MEMORY("k")')).phrase == "GET BOT MEMORY"


def test_parenthesised_argument_after_a_space(p):
    call = call_of(p("TALK (a + b) * 2"))
    assert call.args["message"].op == "*"
    arr = call_of(p("PRINT [1, 2]"))
    assert isinstance(arr.args["values"][0], n.ArrayLiteral)


def test_assignment_to_a_variable_named_like_a_keyword(p):
    stmt = p("talk = 1").body[0]
    assert isinstance(stmt, n.Assign) and stmt.target.name == "talk"


def test_continuation_lines_with_clause_words(p):
    program = p('result = LLM "Analyze"\n  WITH OPTIMIZE FOR "quality"\n  WITH MAX_COST 0.05\nTALK result\n')
    call = call_of(program)
    assert call.args["goal"].value == "quality" and call.args["cost"].value == 0.05
    assert len(program.body) == 2


def test_continuation_of_a_statement_keyword(p):
    program = p(
        'HUMAN APPROVAL FROM "manager@x.com"\n    TIMEOUT 1800  \' 30 minutes\n'
        '    ON TIMEOUT: ESCALATE TO "director@x.com"\nDELAY 5\n'
    )
    call = call_of(program)
    assert call.args["seconds"].value == 1800
    assert call.args["action"] == 'ESCALATE TO "director@x.com"'
    assert call_of(program, 1).phrase == "DELAY"


def test_step_label_with_a_statement_after_the_colon(p):
    program = p('STEP 1: BOT "classifier" "analyze"\n')
    assert call_of(program, 0).phrase == "STEP" and call_of(program, 0).args["number"].value == 1
    assert call_of(program, 1).phrase == "BOT"


def test_block_keyword_owns_its_body(p):
    block = p('ON EVENT "approval_received" DO\n  TALK "ok"\nEND ON\nTALK "after"\n').body
    assert isinstance(block[0], n.KeywordBlock) and block[0].call.phrase == "ON EVENT"
    assert block[0].body[0].call.phrase == "TALK" and len(block) == 2


def test_text_block_keeps_text_and_interpolates(p):
    source = "BEGIN TALK\nHello ${name}!\n\n  ' not a comment\nTotal: ${a + 1}\nEND TALK\nx = 1\n"
    program = p(source)
    block = program.body[0]
    assert isinstance(block, n.KeywordBlock) and block.body == []
    body = block.call.args["body"]
    assert isinstance(body, n.Interpolated)
    assert body.parts[0] == "Hello " and body.parts[1] == n.Name(2, 9, "name")
    assert body.parts[2] == "!\n\n  ' not a comment\nTotal: "
    assert body.parts[3].op == "+" and (body.parts[3].line, body.parts[3].column) == (5, 10)
    assert program.body[1].line == 7


def test_text_block_with_arguments_on_the_opening_line(p):
    block = p("BEGIN MAIL to\nDear ${name},\nEND MAIL\n").body[0]
    assert block.call.args["to"] == n.Name(1, 12, "to")
    assert block.call.args["body"].parts[0] == "Dear "


def test_sections_inside_a_block(p):
    block = p(
        'PARALLEL\n  BRANCH A: BOT "refund" "process refund"\n  BRANCH B:\n    BOT "stock" "update"\n'
        "    DELAY 2\nEND PARALLEL\n"
    ).body[0]
    assert isinstance(block, n.KeywordBlock) and block.body == []
    assert [s[0].args["name"] for s in block.sections] == ["A", "B"]
    assert block.sections[0][1][0].call.phrase == "BOT"
    assert [s.call.phrase for s in block.sections[1][1]] == ["BOT", "DELAY"]


def test_keyword_form_ending_in_colon_and_nested_blocks(p):
    program = p('IF x THEN\n  ON EVENT "e" DO\n    IF y THEN\n      TALK 1\n    END IF\n  END ON\nEND IF\n')
    inner = program.body[0].branches[0][1][0]
    assert isinstance(inner, n.KeywordBlock) and isinstance(inner.body[0], n.If)


def test_registry_changes_are_picked_up():
    registry = KeywordRegistry()
    registry.register(KeywordSpec("PING", ("{host}",), lambda run, args: None, "s", "e"))
    assert parse('PING "a"', registry=registry).body[0].call.phrase == "PING"
    registry.register(KeywordSpec("PING HOST NOW", ("{host}",), lambda run, args: None, "s", "e"))
    assert parse('PING HOST NOW "a"', registry=registry).body[0].call.phrase == "PING HOST NOW"
    assert parse('x = PING HOST NOW("a")', registry=registry).body[0].value.phrase == "PING HOST NOW"
