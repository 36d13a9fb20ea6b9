"""docs/api.md: the Python example runs as written (only its connection points elsewhere)."""

import os
import pathlib
import re
import subprocess
import sys

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_api_example_runs_unchanged(server):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/api.md has a Python example"
    env = dict(os.environ, ODOO_URL=server.url, ODOO_DB=server.db, ODOO_LOGIN="admin", ODOO_PASSWORD="admin")
    run = subprocess.run([sys.executable, "-c", blocks[-1]], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert re.match(r"^(RO-1|RO-3|PR-5) \d+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", lines[0]), run.stdout
    assert any(re.search(r" held subscribed signed \d", line) for line in lines), run.stdout  # UC-2 to UC-5
    assert any("first deposit wins" in line for line in lines), run.stdout  # CS-15
    assert lines[-1].startswith("refused: ") and "not a valid mobile number" in lines[-1], run.stdout
