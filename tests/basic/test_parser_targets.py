"""Target slots take assignable places, not only names: ``HEAR order.qty``, ``HEAR items[2]``,
``PUSH o.items, x``. The handler gets the place as a path, which the VM's ``run.assign`` and
``run.reference`` follow."""

from __future__ import annotations

import pytest

from basic import nodes as n
from basic.errors import BasicSyntaxError
from basic.parser import parse
from tests.basic.vm_support import output


def test_paths_reach_the_handler_as_text():
    body = parse('HEAR Order.Qty\nHEAR items[2] AS INTEGER\nPUSH o.Items, x\nAPPEND m["Key"].list, 1').body
    assert body[0].call.args == {"var": "order.qty"}
    assert body[1].call.args == {"var": "items[2]", "kind": "INTEGER"}
    assert body[2].call.args == {"list": "o.items", "value": n.Name(3, 15, "x")}
    assert body[3].call.args["list"] == 'm["Key"].list'


@pytest.mark.parametrize("source", ["HEAR items[i]", "HEAR f(1).x", "PUSH rows[n + 1], 2"])
def test_a_place_that_cannot_be_stored_into_is_explained(source):
    with pytest.raises(BasicSyntaxError, match="variable, a field or an element with a constant index"):
        parse(source)


def test_hear_into_a_field_and_an_element():
    src = (
        "order = #{ qty: 0 }\nitems = [0, 0, 0]\n"
        "HEAR order.qty AS INTEGER\nHEAR items[1]\nTALK order.qty + 1\nTALK items"
    )
    assert output(src, ["41", "b"]) == ["42", '[0, "b", 0]']


def test_push_and_append_into_a_field_change_it_in_place():
    src = 'o = #{ items: [] }\nPUSH o.items, "a"\nAPPEND o.items, "b"\nTALK o.items\nTALK UBOUND(o.items)'
    assert output(src) == ['["a", "b"]', "2"]


def test_push_into_a_missing_field_creates_the_list():
    assert output('o = #{}\nPUSH o.tags, "x"\nTALK o') == ['{"tags": ["x"]}']
