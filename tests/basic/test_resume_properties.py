"""Property tests: a run's state survives JSON at every suspension point, and a run preempted
at random slice sizes prints exactly what an uninterrupted run prints."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basic.host import BufferHost
from basic.journal import MemoryJournal
from basic.limits import Limits
from basic.vm import resume, start
from tests.basic.vm_support import compile_text

NAMES = ["a", "b", "c"]


def expr(draw, depth: int = 0) -> str:
    choice = draw(st.integers(0, 4 if depth < 2 else 1))
    if choice == 0:
        return str(draw(st.integers(-5, 9)))
    if choice == 1:
        return draw(st.sampled_from(NAMES))
    if choice == 2:
        op = draw(st.sampled_from(["+", "-", "*", "MOD"]))
        right = expr(draw, depth + 1)
        if op == "MOD":
            right = f"(({right}) * 0 + 7)"
        return f"({expr(draw, depth + 1)} {op} {right})"
    if choice == 3:
        return f'("s" + {expr(draw, depth + 1)})'
    return f"LEN(\"{draw(st.text('xyz', max_size=3))}\")"


def block(draw, depth: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 7 if depth < 2 else 3))
        var = draw(st.sampled_from(NAMES))
        if kind in (0, 1):
            lines.append(f"{indent}{var} = {expr(draw)}")
        elif kind == 2:
            lines.append(f"{indent}TALK {expr(draw)}")
        elif kind == 3:
            lines.append(f"{indent}HEAR {var}")
        elif kind == 4:
            lines.append(f"{indent}IF {expr(draw)} > 2 THEN")
            lines += block(draw, depth + 1, indent + "  ")
            lines.append(f"{indent}ELSE")
            lines += block(draw, depth + 1, indent + "  ")
            lines.append(f"{indent}END IF")
        elif kind == 5:
            loop_var = f"i{depth}"
            lines.append(f"{indent}FOR {loop_var} = 1 TO {draw(st.integers(0, 3))}")
            lines += block(draw, depth + 1, indent + "  ")
            lines.append(f"{indent}NEXT")
        elif kind == 6:
            counter = f"w{depth}"
            lines.append(f"{indent}{counter} = 0")
            lines.append(f"{indent}WHILE {counter} < {draw(st.integers(0, 3))}")
            lines.append(f"{indent}  {counter} = {counter} + 1")
            lines += block(draw, depth + 1, indent + "  ")
            lines.append(f"{indent}WEND")
        else:
            lines.append(f"{indent}Show({expr(draw)})")
    return lines


@st.composite
def programs(draw) -> str:
    body = block(draw, 0)
    sub = ["SUB Show(x)", "  TALK \"show \" + x", "  HEAR a", "END SUB"]
    return "\n".join(body + sub) + "\n"


ANSWERS = ["1", "4", "x", "10", "2", "7", "", "3"] * 40


def run_uninterrupted(script) -> tuple[list[str], str]:
    """Output and ending ("finished" or the error: random programs may fail, e.g. on "x" - 1,
    and must then fail the same way whatever happens in between)."""
    host = BufferHost()
    answers = iter(ANSWERS)
    result = start(script, host, journal=MemoryJournal())
    while result.status == "waiting":
        result = resume(script, result.state, next(answers), host, journal=MemoryJournal())
    assert result.status in ("finished", "failed")
    return host.output, str(result.error) if result.error else "finished"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.lists(st.integers(1, 6), min_size=1, max_size=5))
def test_preempted_and_resumed_through_json_prints_the_same(source, slices):
    script = compile_text(source, "prop.bas")
    expected = run_uninterrupted(script)
    host = BufferHost()
    answers = iter(ANSWERS)
    turn = 0

    def limits() -> Limits:
        nonlocal turn
        turn += 1
        return Limits(slice_steps=slices[turn % len(slices)])

    result = start(script, host, journal=MemoryJournal(), limits=limits())
    while result.status in ("waiting", "paused"):
        state = json.loads(json.dumps(result.state))
        assert state == result.state
        value = next(answers) if result.status == "waiting" else None
        result = resume(script, state, value, host, journal=MemoryJournal(), limits=limits())
    assert (host.output, str(result.error) if result.error else "finished") == expected


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_every_suspension_point_resumes_the_same_from_a_reloaded_copy(source):
    script = compile_text(source, "prop.bas")
    host = BufferHost()
    answers = iter(ANSWERS)
    result = start(script, host, journal=MemoryJournal())
    while result.status == "waiting":
        value = next(answers)
        reloaded = json.loads(result.state_json)
        # Continue twice from the same point: once from the live dict, once from the JSON copy.
        twin_host = BufferHost()
        twin = resume(script, reloaded, value, twin_host, journal=MemoryJournal())
        result = resume(script, result.state, value, host, journal=MemoryJournal())
        assert twin.status == result.status
        assert twin.state == result.state
        assert twin_host.output == host.output[len(host.output) - len(twin_host.output):]
        assert str(twin.error) == str(result.error)
    assert result.status in ("finished", "failed")
