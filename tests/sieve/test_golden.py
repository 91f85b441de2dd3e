# SPDX-License-Identifier: MIT
"""The golden Sieve cases: `mailsift test` against each NAME.expect.

One test per tests/sieve/NAME.sieve: runs

    cd tests/sieve && mailsift test --format=pigeonhole OPTS NAME.sieve NAME.eml

(OPTS from NAME.opts) and compares its exit status and standard output
with NAME.expect, and its standard error too when NAME.expect has a
`--- stderr` section (layout: /tmp/briefs/golden-format.md, summed up in
pigeonhole.py).  A case without its .eml or .expect fails.  The program is
$MAILSIFT, else _build/check/tools/mailsift; without either every case is
skipped.  TZ=UTC and LC_ALL=C are set, as for sieve-test.
"""

from pathlib import Path

import pytest

import pigeonhole
from pigeonhole import HERE, Case

CASES = pigeonhole.case_names()

# Files of this directory that belong to no case.
OWN_FILES = {"README", "conftest.py", "pigeonhole.py", "pigeonhole.conf",
             "pigeonhole-differences.txt", "test_golden.py", "test_pigeonhole.py",
             "test_cli.py"}
CASE_EXTENSIONS = (".sieve", ".eml", ".opts", ".expect", ".expect-todo")


def params():
    if not CASES:
        return [pytest.param(None, id="no-cases",
                             marks=pytest.mark.skip(reason="no tests/sieve/*.sieve yet"))]
    return [pytest.param(name, id=name) for name in CASES]


@pytest.mark.parametrize("name", params())
def test_golden(name, mailsift):
    case = Case(name)
    lacking = case.missing()
    if lacking:
        todo = case.path(".expect-todo")
        note = ""
        if todo.is_file():
            note = "\n%s says:\n%s" % (todo.name,
                                        todo.read_text(encoding="utf-8", errors="replace"))
        pytest.fail("incomplete case %s: no %s%s" % (name, ", ".join(lacking), note),
                    pytrace=False)
    try:
        code, stdout, stderr = pigeonhole.read_expect(case.expect)
        out = pigeonhole.run_mailsift(mailsift, case)
    except ValueError as exc:
        pytest.fail(str(exc), pytrace=False)
    expected = (code, stdout, stderr)
    actual = (out.code, out.stdout, out.stderr if stderr is not None else None)
    if expected != actual:
        text = pigeonhole.show_diff(expected, actual, case.expect.name,
                                    "mailsift test %s" % case.sieve.name)
        if stderr is None and out.stderr:
            text += "\n(stderr, not compared:)\n" + out.stderr.decode("utf-8", "backslashreplace")
        pytest.fail("%s: mailsift differs from %s:\n%s" % (name, case.expect.name, text),
                    pytrace=False)


def test_case_files_belong_to_cases():
    """Every file here is ours or NAME.ext of a case with a NAME.sieve,
    NAME being lower case [a-z0-9-]."""
    problems = []
    for path in sorted(HERE.iterdir()):
        if path.name in OWN_FILES or path.name == "__pycache__":
            continue
        ext = next((e for e in CASE_EXTENSIONS if path.name.endswith(e)), None)
        if ext is None:
            problems.append("%s: not a case file (%s)" % (path.name, " ".join(CASE_EXTENSIONS)))
            continue
        name = path.name[:-len(ext)]
        if not pigeonhole.NAME_RE.match(name):
            problems.append("%s: case names are lower case [a-z0-9-]" % path.name)
        elif not (HERE / (name + ".sieve")).is_file():
            problems.append("%s: no %s.sieve" % (path.name, name))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
