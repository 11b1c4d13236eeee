"""The hand-written lexer and the LALR engine: tokens that depend on the parser's state, reading
ahead in chunks, and errors reported in source order."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from lark.lexer import PatternRE, TerminalDef

from basic import nodes as n
from basic.errors import BasicSyntaxError
from basic.parser import parse
from basic.parser.engine import Engine, _lexer_for
from basic.parser.lexer import HAND_READ, Lexer, LexState


@pytest.fixture
def p(kw_registry):
    def run(source: str) -> n.Program:
        return parse(source, file="t.bas", registry=kw_registry)

    return run


def syntax_error(p, source: str) -> str:
    with pytest.raises(BasicSyntaxError) as caught:
        p(source)
    return str(caught.value)


def test_every_grammar_terminal_is_read_by_the_lexer():
    engine = Engine(("GET BOT MEMORY",))
    lexer = engine.lexer
    known = set(lexer.keywords.values()) | set(lexer.punctuation.values()) | HAND_READ | {"LPAR", "LSQB"}
    assert engine.terminals <= known
    assert {"IF", "THEN", "STEP", "NOT"} <= set(lexer.keywords.values())


def test_a_new_terminal_kind_is_refused_with_a_clear_message():
    grammar = SimpleNamespace(terminals=[TerminalDef("HEX", PatternRE("0x[0-9a-f]+"))])
    with pytest.raises(ValueError, match="HEX .* teach basic/parser/lexer.py"):
        _lexer_for(grammar, ())


def test_keywords_in_any_case_and_names_around_them():
    lexer = Lexer({"if": "IF", "then": "THEN"}, {"=": "EQ"}, ())
    tokens = lexer.lex("If iffy tHEN then_x\n", 0, 20, LexState())
    assert [(t.type, t.value) for t in tokens] == [
        ("IF", "If"),
        ("NAME", "iffy"),
        ("THEN", "tHEN"),
        ("NAME", "then_x"),
        ("_NL", "\n"),
    ]


def test_positions_count_blank_lines_comments_and_crlf(p):
    program = p("' header\r\n\r\nREM note\r\n  x = 1\r\n\ty = 2 ' trailing\r\n")
    assert [(s.line, s.column) for s in program.body] == [(4, 3), (5, 2)]


def test_parenthesis_after_a_name_calls_it_after_a_blank_groups(p):
    call = p("x = f(1)").body[0].value
    assert call == n.Call(1, 5, "f", [n.Literal(1, 7, 1)])
    stmt = p("TALK (1 + 2) * 3").body[0]
    assert stmt.call.args["message"].op == "*"
    assert p("IF(x > 1) THEN\nEND IF").body[0].branches[0][0].op == ">"


def test_phrase_written_as_a_call_is_a_value_and_its_words_are_names_elsewhere(p):
    value = p('x = GET BOT MEMORY("k")').body[0].value
    assert value == n.KeywordCall(1, 5, "GET BOT MEMORY", {"key": n.Literal(1, 20, "k")}, 0)
    stmt = p('SET BOT MEMORY("k", 2)').body[0]
    assert stmt.call.phrase == "SET BOT MEMORY"
    get = p("get = 1\nbot = get").body
    assert [s.target.name for s in get] == ["get", "bot"]


def test_new_object_and_a_variable_named_new(p):
    body = p("o = NEW OBJECT\nnew = 2\nt = new + 1").body
    assert body[0].value == n.MapLiteral(1, 5, [])
    assert body[1].target == n.Name(2, 1, "new")
    assert body[2].value.left == n.Name(3, 5, "new")


def test_rem_is_a_comment_only_as_a_whole_word(p):
    body = p("REMAINING = 3\nREM x = 1\nrem\nx = remark").body
    assert [s.target.name for s in body] == ["remaining", "x"]


def test_double_equals_where_only_an_assignment_fits(p):
    assert "unexpected '='" in syntax_error(p, "x == 1")
    assert p("IF a == 1 THEN\nEND IF").body[0].branches[0][0].op == "="


def test_a_bad_character_after_an_earlier_error_reports_the_earlier_one(p):
    assert syntax_error(p, "x = = 1 @").startswith("t.bas:1:5:")
    assert syntax_error(p, "x = 1 @").startswith("t.bas:1:7: unexpected character '@'")
    assert syntax_error(p, 'x = "open').startswith('t.bas:1:5: this string has no closing "')


def test_bracket_left_open_is_named(p):
    message = syntax_error(p, "x = [1,\n2\nTALK 3")
    assert message.startswith("t.bas:1:5: the '[' opened here is never closed")


def _long_script(lines: int) -> str:
    return "".join(f'v{i} = {i} + LEN("row {i}")  \' note {i}\n' for i in range(lines))


def test_scripts_longer_than_a_chunk_keep_positions(p):
    source = _long_script(600) + 'TALK "end"\n'
    assert len(source) > 2 * 8192
    body = p(source).body
    assert len(body) == 601
    assert (body[-1].line, body[-1].column) == (601, 1)
    assert body[400].value.right.args == [n.Literal(401, 18, "row 400")]


def test_statement_continued_across_a_chunk_boundary(p):
    head = _long_script(330)  # about 8,200 characters: the list below crosses the first chunk
    source = head + "items = [1,\n  2,\n  3]\nTALK UBOUND(items)\n"
    body = p(source).body
    assert body[-2].value == n.ArrayLiteral(
        331, 9, [n.Literal(331, 10, 1), n.Literal(332, 3, 2), n.Literal(333, 3, 3)]
    )
    assert body[-1].line == 334


def test_split_tokens_near_the_end_of_a_chunk_are_read_again_correctly(p):
    # "GET" starts the phrase GET BOT MEMORY but is a statement head on every other line, so
    # the lexer's phrase token is split there and the rest of the line read again.
    source = "".join(f'x{i} = GET BOT MEMORY("k{i}")\nGET BOT MEMORY("v{i}")\n' for i in range(400))
    body = p(source).body
    assert len(body) == 800 and len(source) > 8192
    assert body[-2].value == n.KeywordCall(799, 8, "GET BOT MEMORY", {"key": n.Literal(799, 23, "k399")}, 0)
    assert body[-1] == n.Command(
        800, 1, n.KeywordCall(800, 1, "GET BOT MEMORY", {"key": n.Literal(800, 16, "v399")}, 0)
    )


def test_text_block_bodies_never_reach_the_lexer(p):
    program = p('BEGIN TALK\nIt costs 5 @ "half" {price}\nEND TALK\nx = 1')
    assert program.body[0].call.args["body"].parts == ['It costs 5 @ "half" {price}']
    assert program.body[1].line == 4
