"""A keyword that is also a built-in function (PUSH, APPEND, THROW): written with parentheses in
a value it is the function, which returns a new list (DIALECT.md §5); as a statement it is the
keyword, which changes the list in place. Multi-word phrases and keywords without a built-in of
the same name stay keyword calls everywhere."""

from __future__ import annotations

import pytest

from basic import nodes as n
from basic.errors import BasicSyntaxError
from basic.parser import parse
from tests.basic.vm_support import output


@pytest.fixture
def p(kw_registry):
    def run(source: str) -> n.Program:
        return parse(source, file="t.bas", registry=kw_registry)

    return run


def test_push_in_a_value_is_the_builtin_function(p):
    value = p("b = PUSH(a, 1)").body[0].value
    assert value == n.Call(1, 5, "push", [n.Name(1, 10, "a"), n.Literal(1, 13, 1)])
    talk = p("TALK push([1], 2)").body[0]
    assert talk.call.args["message"] == n.Call(
        1, 6, "push", [n.ArrayLiteral(1, 11, [n.Literal(1, 12, 1)]), n.Literal(1, 16, 2)]
    )


def test_push_as_a_statement_stays_the_keyword(p):
    body = p("PUSH a, 1\nPUSH(a, 2)").body
    assert body[0].call == n.KeywordCall(1, 1, "PUSH", {"list": "a", "value": n.Literal(1, 9, 1)}, 0)
    assert body[1].call == n.KeywordCall(1 + 1, 1, "PUSH", {"list": "a", "value": n.Literal(2, 9, 2)}, 0)


def test_keywords_without_a_builtin_and_phrases_stay_keyword_calls(p):
    assert isinstance(p('x = FIND("t", "a=1")').body[0].value, n.KeywordCall)
    assert isinstance(p('x = GET BOT MEMORY("k")').body[0].value, n.KeywordCall)
    assert isinstance(p('x = GET_BOT_MEMORY("k")').body[0].value, n.KeywordCall)


def test_builtin_arity_is_not_checked_against_the_keyword_form(p):
    # PUSH(list, a, b) does not fit the keyword's form, but the function takes it
    value = p("b = PUSH(a, 1, 2)").body[0].value
    assert isinstance(value, n.Call) and len(value.args) == 3


def test_call_statement_that_fits_no_form_is_the_builtin():
    # PUSH's statement form takes a list and one value; three values only fit the function.
    stmt = parse("PUSH(a, 1, 2)").body[0]
    assert stmt == n.ExprStatement(
        1, 1, n.Call(1, 1, "push", [n.Name(1, 6, "a"), n.Literal(1, 9, 1), n.Literal(1, 12, 2)])
    )
    assert parse('THROW("x")').body[0].call.phrase == "THROW"
    assert set(parse('THROW("not found", 404)').body[0].call.args) == {"message", "number"}


def test_call_statement_of_a_keyword_without_builtin_still_explains_its_forms(p):
    with pytest.raises(BasicSyntaxError, match="TALK TO expects: TALK TO recipient, message"):
        p('TALK_TO("a")')


def test_push_function_returns_a_new_list_and_the_statement_changes_it_in_place():
    src = 'a = [1]\nb = PUSH(a, 2)\nTALK a\nTALK b\nPUSH a, 3\nTALK a\nc = APPEND(a, "x")\nTALK c\nTALK a'
    assert output(src) == ["[1]", "[1, 2]", "[1, 3]", '[1, 3, "x"]', "[1, 3]"]


def test_throw_with_a_number_through_the_vm():
    src = 'ON ERROR RESUME NEXT\nTHROW("Order not found", 404)\nTALK ERR\nTALK ERR_DESCRIPTION'
    assert output(src) == ["404", "Order not found"]
