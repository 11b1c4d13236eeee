"""The core keywords: TALK, TALK TO, PRINT, WAIT, HEAR (plain, typed, menus), PUSH/APPEND,
THROW, CLEAR ERROR, and keyword phrases called as functions."""

from __future__ import annotations

import json

from basic.host import BufferHost
from basic.keywords import CORE_SPECS
from basic.registry import registry
from basic.vm import resume, start
from tests.basic.vm_support import compile_text, output, run


def test_core_specs_are_registered_with_docs():
    for spec in CORE_SPECS:
        assert registry.get(spec.phrase) is spec
        assert spec.summary and spec.example


def test_talk_formats_values():
    assert output('TALK 8.0\nTALK 2.5\nTALK TRUE\nTALK [1, "a"]\nTALK nothing') == [
        "8", "2.5", "true", '[1, "a"]', "",
    ]


def test_talk_to_goes_to_the_host():
    result, host = run('TALK TO "whatsapp:+551199", "hello " + 1')
    assert result.status == "finished" and host.sent == [("whatsapp:+551199", "hello 1")]


def test_hear_as_integer_stores_a_number_and_asks_again_on_bad_input():
    result, host = run("HEAR n AS INTEGER\nTALK n + 1", ["abc", "41"])
    assert result.status == "finished"
    assert len(host.output) == 2 and host.output[-1] == "42"  # the hint, then the sum


def test_hear_as_email_normalises():
    assert output("HEAR e AS EMAIL\nTALK e", ["  Ana@Example.COM "])[-1] == "ana@example.com"


def test_hear_as_text_accepts_anything():
    assert output("HEAR t AS TEXT\nTALK t", ["anything at all"]) == ["anything at all"]


def test_hear_menu_offers_options_and_takes_one_of_them():
    script = compile_text('HEAR c AS "Yes", "No"\nTALK "chose " + c')
    first = start(script, BufferHost())
    assert first.detail["options"] == ["Yes", "No"]
    host = BufferHost()
    again = resume(script, json.loads(first.state_json), "maybe", host)
    assert again.status == "waiting" and "Yes" in host.output[0]
    done = resume(script, json.loads(again.state_json), "no", host)
    assert done.status == "finished" and host.output[-1] == "chose No"


def test_hear_menu_from_a_list_literal_and_a_list_variable():
    assert output('HEAR c AS ["red", "blue"]\nTALK c', ["2"]) == ["blue"]
    assert output('opts = ["x", "y"]\nHEAR c AS opts\nTALK c', ["x"]) == ["x"]


def test_wait_rejects_negative_seconds():
    result, _ = run("WAIT -1")
    assert result.status == "failed" and "zero or more seconds" in str(result.error)


def test_push_to_a_non_list_is_an_error():
    result, _ = run('x = "text"\nPUSH x, 1')
    assert result.status == "failed" and str(result.error).startswith("test.bas:2:")
    assert "needs a list" in str(result.error)


def test_throw_with_error_number_map():
    src = 'ON ERROR RESUME NEXT\nTHROW #{number: 42, description: "bad"}\nTALK ERR + " " + ERR_DESCRIPTION'
    assert output(src) == ["42 bad"]


def test_clear_error_resets_err():
    assert output('ON ERROR RESUME NEXT\nTHROW "x"\nCLEAR ERROR\nTALK ERR') == ["0"]
