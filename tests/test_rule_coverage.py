"""docs/rules.md: every rule row names tests that exist, and each named test carries its rule's ID.

The tests column of a row lists ``file.py: test_pattern_*`` entries; a file without a folder lives in
``real_estate_attribution/tests/`` (or ``real_estate_channel/tests/`` for the channel rules), a path with a folder
is relative to the repository. Each pattern must match at least one test function of that file, and at least
one of the row's tests must be named after the row's rule (``test_ch18_*`` for CH-18).
"""

import fnmatch
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rules.md"
FOLDERS = (ROOT / "real_estate_attribution" / "tests", ROOT / "real_estate_channel" / "tests", ROOT / "tests")


def _rows():
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.match(r"^([A-Z]{2}-\d+)\b", cells[0]) if len(cells) == 4 else None
        if match:
            rows.append((match.group(1), cells[3]))
    return rows


def _test_names(path):
    return re.findall(r"^\s*(?:async )?def (test_\w+)", path.read_text(encoding="utf-8"), re.M)


def _entries(cell):
    """(file, [patterns]) of a tests cell: ``a.py: test_x_*``, ``test_y_*``; ``tests/b.py``; ``c.py: TestCase``.

    A pattern alone belongs to the file named before it; class names (``TestCase``) name a test case."""
    entries = []
    for part in re.findall(r"`([^`]+)`", cell):
        if not part.endswith(".py") and ".py" not in part:
            assert entries, "a pattern without a file: %s" % part
            entries[-1][1].append(part.strip())
            continue
        name, _sep, patterns = part.replace("::", ":").partition(":")
        entries.append((name.strip(), [p.strip() for p in patterns.split(",") if p.strip()]))
    return entries


def _files(name):
    if "/" in name:
        return [ROOT / name]
    return [folder / name for folder in FOLDERS if (folder / name).exists()]


ROWS = _rows()


def test_every_rule_family_is_listed():
    families = {rule.split("-")[0] for rule, _cell in ROWS}
    assert {"ID", "PR", "RO", "CH", "CS", "DS", "DI", "UC", "GR", "CC"} <= families, families
    assert len(ROWS) == len({rule for rule, _cell in ROWS}), "a rule is listed twice"


@pytest.mark.parametrize(("rule", "cell"), ROWS, ids=[rule for rule, _cell in ROWS])
def test_rule_row_names_existing_tests(rule, cell):
    entries = _entries(cell)
    assert entries, "%s: no test named in docs/rules.md" % rule
    named = []
    for name, patterns in entries:
        paths = [path for path in _files(name) if path.exists()]
        assert paths, "%s: %s does not exist" % (rule, name)
        tests = [test for path in paths for test in _test_names(path)]
        classes = [cls for path in paths for cls in re.findall(r"^class (\w+)", path.read_text("utf-8"), re.M)]
        for pattern in patterns:
            if pattern[:1].isupper():
                assert pattern in classes, "%s: %s has no test case %s" % (rule, name, pattern)
                continue
            matches = fnmatch.filter(tests, pattern)
            assert matches, "%s: no test of %s matches %s" % (rule, name, pattern)
            named += matches
    family, number = rule.lower().split("-")
    own = re.compile(r"^test_(?:\w+_)?%s%s(?:_|$)" % (family, number))
    assert any(own.match(test) for test in named), "%s: none of its tests carries its ID (%s)" % (rule, named)
