"""Every statement form of the dialect parses into the expected nodes, with positions."""

from __future__ import annotations

import pytest

from basic import nodes as n
from basic.parser import parse


@pytest.fixture
def p(kw_registry):
    def run(source: str) -> n.Program:
        return parse(source, file="t.bas", registry=kw_registry)

    return run


def first(program: n.Program):
    assert program.body, "no statement parsed"
    return program.body[0]


def test_assignment_and_names_are_lower_case(p):
    stmt = first(p("Total = 1"))
    assert isinstance(stmt, n.Assign)
    assert stmt.target == n.Name(1, 1, "total")
    assert stmt.value == n.Literal(1, 9, 1)


def test_member_and_index_targets(p):
    body = p('order.Total = 2\nitems[0] = "a"\n').body
    assert isinstance(body[0].target, n.Member) and body[0].target.name == "total"
    assert isinstance(body[1].target, n.Index) and body[1].target.index == n.Literal(2, 7, 0)


def test_comments_of_every_kind_are_ignored(p):
    program = p("' a comment\nREM another\n// third\nx = 1 ' trailing\nREMAINING = 3\nrem\n")
    assert [type(s) for s in program.body] == [n.Assign, n.Assign]
    assert program.body[1].target.name == "remaining"
    assert program.body[1].line == 5


def test_trailing_comment_after_end_if_and_next(p):
    program = p("IF a THEN ' c\n  x = 1 ' c\nEND IF ' c\nFOR i = 1 TO 2 ' c\nNEXT i ' c\n")
    assert isinstance(program.body[0], n.If) and isinstance(program.body[1], n.ForRange)


def test_string_escapes(p):
    stmt = first(p(r'x = "a\"b\\c\nd\te"'))
    assert stmt.value.value == 'a"b\\c\nd\te'


def test_numbers_and_booleans(p):
    body = p("a = 42\nb = 2.5\nc = 1e3\nd = TRUE\ne = false\nf = -7\n").body
    assert [s.value.value for s in body] == [42, 2.5, 1000.0, True, False, -7]
    assert type(body[0].value.value) is int


def test_array_and_map_literals(p):
    body = p(
        'a = [1, "x", [2]]\nm = #{name: "A", "Full Name": 1}\ne = {}\nj = { "k": 2 }\no = NEW OBJECT\n'
    ).body
    assert isinstance(body[0].value, n.ArrayLiteral) and len(body[0].value.items) == 3
    assert [k for k, _ in body[1].value.entries] == ["name", "Full Name"]
    assert body[2].value == n.MapLiteral(3, 5, [])
    assert body[3].value.entries[0][0] == "k"
    assert body[4].value == n.MapLiteral(5, 5, [])


def test_multi_line_literal_inside_brackets(p):
    program = p("m = #{\n  a: 1,\n  b: 2\n}\nx = 1\n")
    assert len(program.body[0].value.entries) == 2
    assert program.body[1].line == 5


def test_member_index_and_method_calls(p):
    stmt = first(p("x = row.items[2].Name"))
    assert isinstance(stmt.value, n.Member) and stmt.value.name == "name"
    assert isinstance(stmt.value.obj, n.Index)
    call = first(p("list.PUSH(4)"))
    assert isinstance(call, n.ExprStatement) and isinstance(call.expr, n.MethodCall)
    assert call.expr.name == "push" and call.expr.args == [n.Literal(1, 11, 4)]


@pytest.mark.parametrize(
    ("source", "op"),
    [
        ("a == b", "="),
        ("a != b", "<>"),
        ("a <> b", "<>"),
        ("a = b", "="),
        ("a <= b", "<="),
        ("a LIKE b", "LIKE"),
        ("a IN b", "IN"),
        ("a NOT IN b", "NOT IN"),
        ("a & b", "&"),
        ("a MOD b", "MOD"),
        ("a \\ b", "\\"),
        ("a ^ b", "^"),
        ("a and b", "AND"),
        ("a Or b", "OR"),
    ],
)
def test_operators_are_spelt_canonically(p, source, op):
    value = first(p(f"x = {source}")).value
    assert isinstance(value, n.Binary) and value.op == op


def shape(node):
    """A compact prefix form of an expression, for precedence tests."""
    if isinstance(node, n.Binary):
        return f"({node.op} {shape(node.left)} {shape(node.right)})"
    if isinstance(node, n.Unary):
        return f"({node.op} {shape(node.operand)})"
    if isinstance(node, n.Literal):
        return str(node.value)
    return node.name


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a OR b AND c", "(OR a (AND b c))"),
        ("NOT a = b", "(NOT (= a b))"),
        ("NOT a AND b", "(AND (NOT a) b)"),
        ("a = b & c", "(= a (& b c))"),
        ("a & b + c", "(& a (+ b c))"),
        ("a + b MOD c", "(+ a (MOD b c))"),
        ("a MOD b * c", "(MOD a (* b c))"),
        ("-a * b", "(* (- a) b)"),
        ("-2 ^ 2", "(- (^ 2 2))"),
        ("2 ^ 3 ^ 2", "(^ (^ 2 3) 2)"),
        ("2 ^ -1", "(^ 2 -1)"),
        ("a - b - c", "(- (- a b) c)"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a < b AND c IN d", "(AND (< a b) (IN c d))"),
        ("x NOT IN list OR y", "(OR (NOT IN x list) y)"),
    ],
)
def test_precedence(p, source, expected):
    assert shape(first(p(f"r = {source}")).value) == expected


def test_equals_is_comparison_inside_an_expression(p):
    stmt = first(p("x = a = b"))
    assert isinstance(stmt, n.Assign) and stmt.value.op == "="


def test_block_if_with_elseif_else_if_and_else(p):
    stmt = first(
        p(
            "IF a = 1 THEN\n x = 1\nELSEIF a = 2 THEN\n x = 2\n"
            "ELSE IF a = 3 THEN\n x = 3\nELSE\n x = 4\nEND IF"
        )
    )
    assert isinstance(stmt, n.If) and len(stmt.branches) == 3
    assert [b[1][0].value.value for b in stmt.branches] == [1, 2, 3]
    assert stmt.else_body[0].value.value == 4
    assert (stmt.line, stmt.column) == (1, 1)


def test_one_line_if_with_else(p):
    stmt = first(p('IF x > 1 THEN TALK "big" ELSE TALK "small"'))
    assert isinstance(stmt, n.If) and stmt.branches[0][1][0].call.phrase == "TALK"
    assert stmt.else_body[0].call.args["message"].value == "small"


def test_one_line_if_with_goto_and_exit(p):
    program = p("FOR i = 1 TO 3\n IF i = 2 THEN EXIT FOR\nNEXT\nIF x THEN GOTO done\ndone:\n")
    assert program.body[0].body[0].branches[0][1] == [n.Exit(2, 16, "FOR")]
    assert program.body[1].branches[0][1] == [n.Goto(4, 11, "done")]


def test_select_case_forms(p):
    stmt = first(
        p("SELECT CASE x\nCASE 1, 2\n a = 1\nCASE 3 TO 5\nCASE IS >= 10\nCASE ELSE\n a = 0\nEND SELECT")
    )
    assert isinstance(stmt, n.Select)
    assert stmt.cases[0].values == [n.Literal(2, 6, 1), n.Literal(2, 9, 2)]
    assert isinstance(stmt.cases[1].values[0], n.CaseRange)
    assert stmt.cases[2].values[0].op == ">=" and stmt.else_body[0].value.value == 0


def test_switch_with_default(p):
    stmt = first(p('SWITCH c\n CASE "a", "b"\n  x = 1\n DEFAULT\n  x = 2\nEND SWITCH'))
    assert isinstance(stmt, n.Select) and len(stmt.cases) == 1 and stmt.else_body[0].value.value == 2


def test_case_with_statement_on_the_same_line(p):
    stmt = first(p('SELECT CASE x\nCASE 1: TALK "one"\nEND SELECT'))
    assert stmt.cases[0].body[0].call.phrase == "TALK"


def test_for_range_with_step_and_next_name(p):
    stmt = first(p("FOR i = 10 TO 1 STEP -1\n PRINT i\nNEXT i"))
    assert isinstance(stmt, n.ForRange) and stmt.var == "i" and stmt.step == n.Literal(1, 22, -1)
    assert stmt.body[0].call.phrase == "PRINT"


def test_for_each_with_plain_next(p):
    stmt = first(p("FOR EACH Item IN items\n TALK item\nNEXT"))
    assert isinstance(stmt, n.ForEach) and stmt.var == "item" and stmt.iterable == n.Name(1, 18, "items")


def test_while_wend(p):
    stmt = first(p("WHILE i < 3\n i = i + 1\nWEND"))
    assert isinstance(stmt, n.While) and len(stmt.body) == 1


@pytest.mark.parametrize(
    ("source", "until", "test_first", "has_cond"),
    [
        ("DO WHILE a\nLOOP", False, True, True),
        ("DO UNTIL a\nLOOP", True, True, True),
        ("DO\nLOOP WHILE a", False, False, True),
        ("DO\nLOOP UNTIL a", True, False, True),
        ("DO\nLOOP", False, False, False),
    ],
)
def test_do_loops(p, source, until, test_first, has_cond):
    stmt = first(p(source))
    assert isinstance(stmt, n.DoLoop)
    assert (stmt.cond is not None) == has_cond
    if has_cond:
        assert stmt.until == until and stmt.test_first == test_first


@pytest.mark.parametrize("kind", ["DO", "WHILE"])
def test_exit_do_and_while(p, kind):
    opener, closer = ("DO", "LOOP") if kind == "DO" else ("WHILE TRUE", "WEND")
    stmt = first(p(f"{opener}\n EXIT {kind}\n{closer}"))
    assert stmt.body == [n.Exit(2, 2, kind)]


def test_sub_function_call_and_return(p):
    program = p(
        'CALL greet("a")\ngreet "b"\nx = twice(2)\nSUB greet(who AS STRING)\n TALK who\n EXIT SUB\n'
        "END SUB\nFUNCTION twice(v)\n RETURN v * 2\nEND FUNCTION\n"
    )
    assert set(program.procedures) == {"greet", "twice"}
    assert program.procedures["greet"].params == ["who"] and program.procedures["greet"].kind == "SUB"
    assert program.procedures["twice"].body[0].value.op == "*"
    assert [type(s) for s in program.body] == [n.ExprStatement, n.ExprStatement, n.Assign]
    assert program.body[1].expr == n.Call(2, 1, "greet", [n.Literal(2, 7, "b")])
    assert program.body[2].value == n.Call(3, 5, "twice", [n.Literal(3, 11, 2)])


def test_bare_call_statement(p):
    stmt = first(p("doThing(1, 2)"))
    assert stmt == n.ExprStatement(1, 1, n.Call(1, 1, "dothing", [n.Literal(1, 9, 1), n.Literal(1, 12, 2)]))


def test_call_without_parentheses_and_return_without_value(p):
    program = p("CALL other\nRETURN\n")
    assert program.body[0].expr == n.Call(1, 6, "other", [])
    assert program.body[1] == n.Return(2, 1, None)


def test_labels_goto_and_on_error(p):
    program = p("ON ERROR RESUME NEXT\nON ERROR GOTO fail\nstart:\nGOTO start\nfail:\nON ERROR GOTO 0\n")
    assert program.body[0] == n.OnError(1, 1, "resume")
    assert program.body[1] == n.OnError(2, 1, "goto", "fail")
    assert program.body[2] == n.Label(3, 1, "start")
    assert program.body[3] == n.Goto(4, 1, "start")
    assert program.body[5] == n.OnError(6, 1, "off")


def test_with_block(p):
    stmt = first(p('WITH person\n  name = "Ana"\n  .Age = 30\nEND WITH'))
    assert isinstance(stmt, n.With) and stmt.target == n.Name(1, 6, "person")
    assert [f for f, _ in stmt.fields] == ["name", "age"]


def test_line_ending_in_comma_continues(p):
    program = p('TALK TO "a",\n   "b"\nx = 1\n')
    assert program.body[0].call.args["message"] == n.Literal(2, 4, "b")
    assert program.body[1].line == 3


def test_param_and_description_header(p):
    program = p(
        'PARAM name AS STRING LIKE "Ana" DESCRIPTION "Customer name"\n'
        'PARAM plan AS string ENUM ["a", "b"] DESCRIPTION "Plan"\n'
        'PARAM born AS DATE\nDESCRIPTION "Registers a customer"\nTALK name\n'
    )
    assert [s.call.phrase for s in program.body] == ["TALK"]
    assert program.description == "Registers a customer"
    first_param = program.params[0]
    assert (first_param.name, first_param.type, first_param.example, first_param.description) == (
        "name",
        "string",
        "Ana",
        "Customer name",
    )
    assert program.params[1].enum == ["a", "b"] and program.params[2].type == "date"


def test_param_list_continued_after_comma(p):
    program = p('PARAM a AS integer DESCRIPTION "x",\n      b AS boolean DESCRIPTION "y"\n')
    assert [(x.name, x.type) for x in program.params] == [("a", "integer"), ("b", "boolean")]


def test_keywords_are_case_insensitive(p):
    stmt = first(p('talk "hi"'))
    assert stmt.call.phrase == "TALK"
    stmt = first(p("if X then\nend if"))
    assert stmt.branches[0][0] == n.Name(1, 4, "x")


def test_reserved_words_stay_names_where_no_keyword_fits(p):
    program = p('step = 1\nwait = 2\nx = row.end + row.next\ndescription = "d"\nm = #{to: 1}\n')
    assert [s.target.name for s in program.body] == ["step", "wait", "x", "description", "m"]
    assert program.description is None


def test_empty_source(p):
    program = p("")
    assert program.body == [] and program.procedures == {} and program.params == []
    assert program.file == "t.bas"
