"""docs/api.md: the Python examples run as written (only their connection points elsewhere)."""

import os
import pathlib
import re
import subprocess
import sys

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "api.md"

#: What the block of "Split cases, end to end" prints: one line per case, the rule of the split then each
#: beneficiary and their percent, in the order of the commission lines (CS-16: each line sums to 100).
SPLIT_CASES = [
    "CS-3 张三 100.0",
    "CS-1 张三 33.34 李四 33.33 王五 33.33",
    "CS-2 张三 50.0 李四 50.0",
    "CS-6 孙七 50.0 张三 50.0",
    "CS-6 team 100.0",
    "CS-6 孙七 100.0",
    "CS-10 张三 70.0 李四 30.0",
    "CS-10 张三 100.0",
    "CS-11 张三 70.0 public 30.0",
    "CS-11 张三 30.0 public 70.0",
    "CS-11 public 100.0",
    "CS-12 张三 70.0 赵六 30.0",
    "CS-9 王五 50.0 赵六 50.0",
    "CS-13 → CS-3 李四 100.0",
    "CH-9 渠道分销 100.0",
    "PR-3 public 100.0",
    "CS-3 张三 50.0 李四 50.0",
    "CS-7 张三 40.0 李四 15.0 王五 15.0 赵六 15.0 孙七 15.0",
]


def run_block(server, block):
    env = dict(os.environ, ODOO_URL=server.url, ODOO_DB=server.db, ODOO_LOGIN="admin", ODOO_PASSWORD="admin")
    return subprocess.run([sys.executable, "-c", block], env=env, capture_output=True, text=True, timeout=120)


def section_block(heading):
    """The one Python block of a section of docs/api.md."""
    text = DOC.read_text(encoding="utf-8")
    assert f"\n{heading}\n" in text, f"docs/api.md has a section {heading!r}"
    section = text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, f"{heading!r} has one Python block"
    return blocks[0]


def test_api_example_runs_unchanged(server):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/api.md has a Python example"
    assert blocks[-1] == section_block("## Example"), "the example is the last Python block of docs/api.md"
    run = run_block(server, blocks[-1])
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert re.match(r"^(RO-1|RO-3|PR-5) \d+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", lines[0]), run.stdout
    assert any(re.search(r" held subscribed signed \d", line) for line in lines), run.stdout  # UC-2 to UC-5
    assert any("first deposit wins" in line for line in lines), run.stdout  # CS-15
    assert lines[-1].startswith("refused: ") and "not a valid mobile number" in lines[-1], run.stdout


def test_api_split_cases_run_unchanged(server):
    """CS-1 to CS-13, CH-9, PR-3: the split of each case, from the visit to the signed unit, as the docs print it."""
    run = run_block(server, section_block("## Split cases, end to end"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == SPLIT_CASES, run.stdout
    for line in run.stdout.splitlines():  # CS-16
        assert round(sum(float(word) for word in line.split() if re.fullmatch(r"\d+\.\d+", word)), 2) == 100, line
