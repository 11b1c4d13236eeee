"""Semantics of every statement form, run from source through parser, compiler and VM."""

from __future__ import annotations

from tests.basic.vm_support import output


def test_assignment_and_arithmetic():
    assert output('x = 2 + 3 * 4\nTALK x\nTALK 7 / 2\nTALK 7 \\ 2\nTALK -7 MOD 3\nTALK 2 ^ 10') == [
        "14", "3.5", "3", "-1", "1024",
    ]


def test_plus_concatenates_text_and_ampersand_joins():
    assert output('n = 3\nTALK "n=" + n\nTALK n & "!"\nTALK 1 + 2 + "x"') == ["n=3", "3!", "3x"]


def test_missing_variable_reads_empty():
    assert output('TALK "[" + nothing + "]"\nIF nothing = "" THEN TALK "empty"') == ["[]", "empty"]


def test_names_are_case_insensitive():
    assert output("Total = 5\nTALK TOTAL + total") == ["10"]


def test_if_elseif_else_chain():
    src = """
FOR EACH n IN [1, 2, 3]
  IF n = 1 THEN
    TALK "one"
  ELSEIF n = 2 THEN
    TALK "two"
  ELSE IF n = 5 THEN
    TALK "five"
  ELSE
    TALK "other"
  END IF
NEXT
"""
    assert output(src) == ["one", "two", "other"]


def test_one_line_if():
    assert output('x = 4\nIF x > 3 THEN TALK "big"\nIF x > 9 THEN TALK "huge"') == ["big"]


def test_and_or_not():
    src = 'a = 1\nb = 0\nIF a AND NOT b THEN TALK "yes"\nIF b OR a = 2 THEN TALK "no"\nTALK (a = 1) OR b'
    assert output(src) == ["yes", "true"]


def test_select_case_compares_values_as_values():
    src = """
FOR EACH v IN [2, "2", 7, 15, "x"]
  SELECT CASE v
    CASE 1, 2
      TALK "small"
    CASE 5 TO 10
      TALK "mid"
    CASE IS > 10
      TALK "big"
    CASE ELSE
      TALK "other"
  END SELECT
NEXT
"""
    assert output(src) == ["small", "small", "mid", "big", "other"]


def test_switch_default():
    src = ('c = "b"\nSWITCH c\n  CASE "a"\n    TALK 1\n  CASE "b", "c"\n    TALK 2\n'
           '  DEFAULT\n    TALK 3\nEND SWITCH')
    assert output(src) == ["2"]


def test_for_with_step_and_loop_variable_after_loop():
    assert output("FOR i = 1 TO 3\nNEXT\nTALK i") == ["4"]
    assert output("s = \"\"\nFOR i = 10 TO 1 STEP -3\n  s = s + i + \",\"\nNEXT i\nTALK s\nTALK i") == [
        "10,7,4,1,", "-2",
    ]
    assert output("FOR i = 0 TO 1 STEP 0.5\n  TALK i\nNEXT") == ["0", "0.5", "1"]


def test_for_that_never_starts():
    assert output('FOR i = 5 TO 1\n  TALK "never"\nNEXT\nTALK i') == ["5"]


def test_for_each_over_list_map_text_and_empty():
    src = """
FOR EACH x IN ["a", "b"]
  TALK x
NEXT x
m = #{ k1: 1, k2: 2 }
FOR EACH k IN m
  TALK k + "=" + m[k]
NEXT
FOR EACH ch IN "hi"
  TALK ch
NEXT
FOR EACH z IN missing
  TALK "never"
NEXT
"""
    assert output(src) == ["a", "b", "k1=1", "k2=2", "h", "i"]


def test_for_each_walks_a_snapshot():
    src = "items = [1, 2]\nFOR EACH x IN items\n  PUSH items, x * 10\nNEXT\nTALK UBOUND(items)"
    assert output(src) == ["4"]


def test_while_wend_and_do_loops():
    src = """
i = 0
WHILE i < 3
  i = i + 1
WEND
TALK i
DO WHILE i > 0
  i = i - 1
LOOP
TALK i
DO
  i = i + 2
LOOP UNTIL i >= 5
TALK i
DO UNTIL i = 0
  i = i - 1
LOOP
TALK i
DO
  i = i + 1
  IF i = 4 THEN EXIT DO
LOOP
TALK i
DO
  i = i + 100
LOOP WHILE i < 0
TALK i
"""
    assert output(src) == ["3", "0", "6", "0", "4", "104"]


def test_exit_for_and_exit_while_from_nested_loops():
    src = """
FOR i = 1 TO 10
  FOR j = 1 TO 10
    IF j = 3 THEN EXIT FOR
  NEXT
  IF i = 2 THEN EXIT FOR
NEXT
TALK i + "," + j
k = 0
WHILE TRUE
  k = k + 1
  IF k > 4 THEN EXIT WHILE
WEND
TALK k
"""
    assert output(src) == ["2,3", "5"]


def test_sub_and_function_with_params_and_recursion():
    src = """
FUNCTION Fact(n)
  IF n <= 1 THEN
    RETURN 1
  END IF
  RETURN n * Fact(n - 1)
END FUNCTION

SUB Greet(who, punct)
  TALK "Hello " + who + punct
END SUB

CALL Greet("Ana", "!")
Greet("Bo", "?")
TALK Fact(10)
TALK Fact(3) + Fact(4)
"""
    assert output(src) == ["Hello Ana!", "Hello Bo?", "3628800", "30"]


def test_function_result_by_assigning_its_name_and_exit_function():
    src = """
FUNCTION Twice(x)
  Twice = x * 2
  EXIT FUNCTION
  Twice = 0
END FUNCTION
TALK Twice(21)
"""
    assert output(src) == ["42"]


def test_procedures_have_local_variables_and_read_main_ones():
    src = """
greeting = "hi"
count = 1
SUB Change()
  count = 99
  TALK greeting + " " + count
END SUB
Change()
TALK count
"""
    assert output(src) == ["hi 99", "1"]


def test_arguments_are_passed_by_value():
    src = """
SUB Spoil(lst)
  PUSH lst, 9
  TALK UBOUND(lst)
END SUB
a = [1]
Spoil(a)
TALK UBOUND(a)
"""
    assert output(src) == ["2", "1"]


def test_assignment_copies_lists_and_maps():
    src = ("a = [1, 2]\nb = a\nPUSH b, 3\nTALK UBOUND(a) + \"/\" + UBOUND(b)\n"
           "m = #{x: 1}\nn = m\nn.x = 2\nTALK m.x")
    assert output(src) == ["2/3", "1"]


def test_member_and_index_access_and_assignment():
    src = """
o = #{ Name: "Ana", tags: ["a", "b"] }
TALK o.name
TALK o.Name
TALK o.tags[1]
o.address.city = "Rio"
TALK o.address.city
o.tags[0] = "z"
TALK o.tags[0]
lst = []
lst[0] = "first"
TALK lst[0]
TALK o.missing + "."
"""
    assert output(src) == ["Ana", "Ana", "b", "Rio", "z", "first", "."]


def test_method_push_changes_the_variable_in_place():
    src = ('items = []\nitems.PUSH("a")\nitems.push("b")\nTALK UBOUND(items)\n'
           'x = items.POP()\nTALK x + UBOUND(items)')
    assert output(src) == ["2", "b1"]


def test_push_and_append_statements():
    src = "PUSH lst, 1\nAPPEND lst, 2\nTALK lst\nold = lst\nPUSH lst, 3\nTALK UBOUND(old) & UBOUND(lst)"
    assert output(src) == ["[1, 2]", "23"]


def test_with_block_builds_a_map():
    src = 'WITH person\n  name = "Ana"\n  .age = 30\nEND WITH\nTALK person.name + person.age'
    assert output(src) == ["Ana30"]


def test_goto_and_labels():
    src = """
i = 0
again:
i = i + 1
IF i < 3 THEN GOTO again
TALK i
GOTO done
TALK "skipped"
done:
TALK "end"
"""
    assert output(src) == ["3", "end"]


def test_builtin_functions_in_any_case():
    assert output('TALK UCASE("ab") + lcase("CD")\nTALK len("abc")\nTALK Left("hello", 2)') == [
        "ABcd", "3", "he",
    ]


def test_in_like_and_not_in():
    src = ('IF "b" IN ["a", "b"] THEN TALK 1\nIF "z" NOT IN ["a"] THEN TALK 2\n'
           'IF "Hello" LIKE "h*o" THEN TALK 3')
    assert output(src) == ["1", "2", "3"]


def test_map_literals_and_new_object():
    src = 'a = {}\nb = NEW OBJECT\nc = #{k: "v"}\nd = { "k": 2 }\nTALK a + c.k + d.k\nb.x = 1\nTALK b.x'
    assert output(src) == ["{}v2", "1"]


def test_top_level_return_ends_the_script():
    assert output('TALK "a"\nRETURN\nTALK "b"') == ["a"]


def test_begin_talk_interpolates():
    src = 'name = "Ana"\nBEGIN TALK\nHello ${name}!\nYou have ${1 + 2} messages.\nEND TALK'
    assert output(src) == ["Hello Ana!\nYou have 3 messages."]


def test_print_goes_to_debug_output():
    from tests.basic.vm_support import run

    result, host = run('PRINT "dbg", 1\nTALK "x"')
    assert result.status == "finished"
    assert host.printed == ["dbg 1"] and host.output == ["x"]
