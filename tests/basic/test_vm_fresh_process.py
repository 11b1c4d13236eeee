"""A run suspended in one process continues in another: its state is plain JSON and the script
is compiled again from its source (issue 3 item 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SOURCE = """total = 0
FOR EACH n IN [3, 4]
  HEAR extra AS INTEGER
  total = total + n * extra
NEXT
TALK "total " + total
"""

STEP = """
import json, sys
import basic.keywords
from basic.compiler import compile_source
from basic.host import BufferHost
from basic.vm import resume, start

source, state_file, answer = sys.argv[1], sys.argv[2], sys.argv[3]
script = compile_source(open(source).read(), source)
host = BufferHost()
if answer == "-":
    result = start(script, host)
else:
    result = resume(script, json.load(open(state_file)), answer, host)
if result.state_json is not None:
    open(state_file, "w").write(result.state_json)
print(json.dumps({"status": result.status, "said": host.output}))
"""


def step(source: Path, state: Path, answer: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", STEP, str(source), str(state), answer],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )
    return json.loads(done.stdout)


def test_each_wait_is_resumed_by_a_new_process(tmp_path: Path) -> None:
    source, state = tmp_path / "sum.bas", tmp_path / "state.json"
    source.write_text(SOURCE, encoding="utf-8")

    assert step(source, state, "-") == {"status": "waiting", "said": []}
    assert step(source, state, "not a number") == {
        "status": "waiting",
        "said": ["Please enter a whole number, like 42."],
    }
    assert step(source, state, "10") == {"status": "waiting", "said": []}
    assert step(source, state, "2") == {"status": "finished", "said": ["total 38"]}
