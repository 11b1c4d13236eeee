"""The keyword form template language: compiling templates and matching pieces."""

from __future__ import annotations

import pytest

from basic import nodes as n
from basic.syntax import Group, Lit, Piece, RawText, Slot, compile_form, match_forms, render_form


def expr(value, column=1, line=1) -> Piece:
    return Piece("expr", n.Literal(line, column, value), None, "", line, column)


def name(text: str, column=1, line=1) -> Piece:
    return Piece("expr", n.Name(line, column, text.lower()), text.upper(), text, line, column)


def word(text: str, column=1) -> Piece:
    return Piece("word", None, text.upper(), text, 1, column)


COMMA = Piece("comma", None, None, ",", 1, 1)
COLON = Piece("colon", None, None, ":", 1, 1)
RAW = RawText([])


def test_compile_elements():
    form = compile_form("{target:target} AS {options:exprs} [TO ALL] [WITH {data}]")
    assert form.elements == (
        Slot("target", "target"),
        Lit("AS"),
        Slot("options", "exprs"),
        Group((Lit("TO"), Lit("ALL")), "to_all"),
        Group((Lit("WITH"), Slot("data")), None),
    )
    assert form.clause_words == frozenset({"AS", "TO", "ALL", "WITH"})


def test_first_literal_is_not_a_clause_word():
    assert compile_form("TO {bot}").clause_words == frozenset()


@pytest.mark.parametrize("template", ["{a:bogus}", "[{a}", "{a}]", "as {a}", "{a} ?"])
def test_bad_templates_are_rejected(template):
    with pytest.raises(ValueError):
        compile_form(template)


def test_render_form():
    assert render_form("HEAR", compile_form("{v:target} AS {o:exprs}")) == "HEAR v AS o, ..."
    assert render_form("SET SCHEDULE", compile_form("{when:raw}")) == "SET SCHEDULE when..."
    assert render_form("BRANCH", compile_form("{name:word}:")) == "BRANCH name:"
    assert render_form("CLEAR", compile_form("")) == "CLEAR"
    assert render_form("WAIT FOR EVENT", compile_form("{n} [TIMEOUT {s}]")) == "WAIT FOR EVENT n [TIMEOUT s]"


def test_expression_and_literal_match():
    forms = (compile_form("{key}, {value}"),)
    match = match_forms(forms, [expr("k"), COMMA, expr(2)], RAW)
    assert match is not None and match.args == {"key": n.Literal(1, 1, "k"), "value": n.Literal(1, 1, 2)}
    assert match_forms(forms, [expr("k"), expr(2)], RAW) is None
    assert match_forms(forms, [expr("k"), COMMA], RAW) is None


def test_target_needs_a_name():
    forms = (compile_form("{v:target}"),)
    assert match_forms(forms, [name("Answer")], RAW).args == {"v": "answer"}
    assert match_forms(forms, [expr(1)], RAW) is None


def test_word_slot_keeps_the_text():
    forms = (compile_form("{v:target} AS {kind:word}"),)
    assert match_forms(forms, [name("x"), word("as"), name("Email")], RAW).args == {"v": "x", "kind": "Email"}


def test_exprs_backtracks_to_leave_room():
    forms = (compile_form("{items:exprs}, {last}"),)
    match = match_forms(forms, [expr(1), COMMA, expr(2), COMMA, expr(3)], RAW)
    assert [i.value for i in match.args["items"]] == [1, 2] and match.args["last"].value == 3


def test_optional_group_backtracking_and_flag():
    forms = (compile_form("{name} [TO BOT {bot}] [TO ALL]"),)
    match = match_forms(forms, [expr("e"), word("TO"), name("ALL")], RAW)
    assert match.args == {"name": n.Literal(1, 1, "e"), "to_all": True}


def test_first_matching_form_wins():
    forms = (compile_form("TO {bot}"), compile_form("{task} TO BOT {bot}"))
    assert match_forms(forms, [word("TO"), expr("b")], RAW).form_index == 0
    assert match_forms(forms, [expr("t"), word("TO"), name("BOT"), expr("b")], RAW).form_index == 1


def test_clause_word_piece_can_be_a_variable():
    forms = (compile_form("{recipient}, {message}"),)
    match = match_forms(forms, [word("to", column=3), COMMA, expr("m")], RAW)
    assert match.args["recipient"] == n.Name(1, 3, "to")


def test_colon_form_leaves_the_rest():
    forms = (compile_form("{name:word}:"),)
    rest = [name("BOT"), expr("x")]
    match = match_forms(forms, [name("A"), COLON] + rest, RAW)
    assert match.args == {"name": "A"} and match.rest == rest


def test_raw_slot_slices_the_source_line():
    raw = RawText(['SET SCHEDULE every 1 hour \' comment "x"'])
    pieces = [name("every", column=14), expr(1, column=20), name("hour", column=22)]
    assert match_forms((compile_form("{when:raw}"),), pieces, raw).args == {"when": "every 1 hour"}


def test_raw_slot_with_a_single_string_gives_its_content():
    raw = RawText(['SET SCHEDULE "0 9 * * *"'])
    assert match_forms((compile_form("{when:raw}"),), [expr("0 9 * * *", column=14)], raw).args == {
        "when": "0 9 * * *"
    }


def test_empty_form_matches_nothing_only():
    forms = (compile_form(""),)
    assert match_forms(forms, [], RAW).args == {}
    assert match_forms(forms, [expr(1)], RAW) is None


def _piece(node) -> Piece:
    return Piece("expr", node, None, "", 1, 1)


@pytest.mark.parametrize(
    ("node", "path"),
    [
        (n.Member(1, 1, n.Name(1, 1, "order"), "qty"), "order.qty"),
        (n.Index(1, 1, n.Name(1, 1, "items"), n.Literal(1, 7, 2)), "items[2]"),
        (n.Index(1, 1, n.Name(1, 1, "items"), n.Literal(1, 7, -1)), "items[-1]"),
        (n.Index(1, 1, n.Member(1, 1, n.Name(1, 1, "o"), "m"), n.Literal(1, 7, "Key")), 'o.m["Key"]'),
    ],
)
def test_target_accepts_fields_and_constant_elements(node, path):
    forms = (compile_form("{v:target}, {value}"),)
    match = match_forms(forms, [_piece(node), COMMA, expr(1)], RAW)
    assert match is not None and match.args["v"] == path


@pytest.mark.parametrize(
    "node",
    [
        n.Index(1, 1, n.Name(1, 1, "items"), n.Name(1, 7, "i")),  # the index is not a constant
        n.Index(1, 1, n.Name(1, 1, "items"), n.Literal(1, 7, 1.5)),
        n.Index(1, 1, n.Name(1, 1, "m"), n.Literal(1, 7, 'say "hi"')),  # a quote in the key
        n.Member(1, 1, n.Call(1, 1, "f", []), "x"),  # a call's result is not a place
        n.Member(1, 1, None, "field"),  # .field belongs to WITH blocks
        n.Binary(1, 1, "+", n.Name(1, 1, "a"), n.Literal(1, 5, 1)),
    ],
)
def test_target_refuses_what_is_not_a_place(node):
    assert match_forms((compile_form("{v:target}"),), [_piece(node)], RAW) is None


def test_flat_and_backtracking_forms_agree():
    flat = compile_form("{a}, {b} TO {c:word}:")
    grouped = compile_form("{a}, {b} TO {c:word}: [X]")
    assert flat.flat and not grouped.flat
    pieces = [expr(1), COMMA, expr(2), word("to"), name("Bot"), COLON, name("next")]
    one, two = match_forms((flat,), pieces, RAW), match_forms((grouped,), pieces, RAW)
    assert one.args == two.args == {"a": n.Literal(1, 1, 1), "b": n.Literal(1, 1, 2), "c": "Bot"}
    assert one.rest == two.rest == pieces[-1:]
