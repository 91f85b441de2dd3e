# SPDX-License-Identifier: MIT
"""Differential test: `mailsift test` against Pigeonhole's sieve-test.

One test per golden case.  A case is compared when Pigeonhole (with
pigeonhole.conf) has every capability the script requires and NAME.opts
only uses -f/-r/-a and --format=pigeonhole; others are skipped with the
reason, as is a case whose -f/-r/-a value sieve-test refuses (such as the
null sender).

Compared: when sieve-test runs the script (exit 0, or 1 for a runtime
failure with implicit keep), mailsift's exit status and standard output
must be identical; when either side refuses to compile the script, both
must (mailsift exits 2 with a `NAME.sieve:LINE:COL: error: ` line on
stderr, sieve-test reports a compile error); messages differ by design.

Cases listed in pigeonhole-differences.txt must disagree (strict xfail: a
listed case that agrees fails, and so does a listed case that is not
compared).  Without sieve-test (or, as root, without the account
mailsift-test) or without mailsift, every case is skipped.
"""

import re

import pytest

import pigeonhole
from pigeonhole import Case

CASES = pigeonhole.case_names()
KNOWN = pigeonhole.load_differences()


class Disagreement(Exception):
    """A listed case disagreeing, as it should."""


def params():
    if not CASES:
        return [pytest.param(None, id="no-cases",
                             marks=pytest.mark.skip(reason="no tests/sieve/*.sieve yet"))]
    out = []
    for name in CASES:
        marks = []
        if name in KNOWN:
            marks.append(pytest.mark.xfail(strict=True, raises=Disagreement,
                                           reason="known difference: " + KNOWN[name]))
        out.append(pytest.param(name, id=name, marks=marks))
    return out


def not_compared(name, why):
    """Skips a case Pigeonhole cannot run; fails it when it is listed as a
    known difference, since a difference that is not compared is not known."""
    if name in KNOWN:
        pytest.fail("%s is listed in %s but not compared: %s" % (
            name, pigeonhole.DIFFERENCES.name, why), pytrace=False)
    pytest.skip(why)


@pytest.mark.parametrize("name", params())
def test_pigeonhole(name, sieve_test, mailsift, pigeonhole_stats):
    case = Case(name)
    try:
        args, why = sieve_test.eligibility(case)
    except ValueError as exc:
        pytest.fail(str(exc), pytrace=False)
    if args is None and not sieve_test.unavailable:
        not_compared(name, why)
    if args is None:
        pytest.skip(why)
    ref = sieve_test.run_case(case, args)
    if ref.kind == "usage":
        not_compared(name, "sieve-test refuses the options of %s.opts: %s" % (
            name, ref.stderr.decode("utf-8", "backslashreplace").strip()))
    if ref.kind == "other":
        pytest.fail("sieve-test failed on %s: %s" % (name, ref.describe()), pytrace=False)
    ours = pigeonhole.run_mailsift(mailsift, case)
    pigeonhole_stats["compared"] += 1

    if ref.kind == "compile" or ours.code == 2:
        # A usage error or a crash is no compile error: mailsift must say
        # where the script is wrong.
        ours_compile = ours.code == 2 and re.search(
            rb"(?m)^" + re.escape(case.sieve.name.encode()) + rb":[0-9]+:[0-9]+: error: ",
            ours.stderr) is not None
        agree = ref.kind == "compile" and ours_compile
        text = ("sieve-test: %s\nmailsift exited %d; stderr:\n%s" % (
            ref.describe(), ours.code, ours.stderr.decode("utf-8", "backslashreplace")))
        if ours.code != 2:
            text += "stdout:\n" + ours.stdout.decode("utf-8", "backslashreplace")
        elif ref.kind != "compile":
            text += "sieve-test's stdout:\n" + ref.stdout.decode("utf-8", "backslashreplace")
    else:
        agree = (ours.code, ours.stdout) == (ref.code, ref.stdout)
        text = pigeonhole.show_diff((ref.code, ref.stdout, None), (ours.code, ours.stdout, None),
                                    "sieve-test", "mailsift test")
        if ref.stderr:
            text += "sieve-test's stderr:\n" + ref.stderr.decode("utf-8", "backslashreplace")

    if agree:
        pigeonhole_stats["agree"] += 1
        return
    if name in KNOWN:
        pigeonhole_stats["known"] += 1
        raise Disagreement(text)
    pytest.fail("%s: mailsift and Pigeonhole disagree:\n%s" % (name, text), pytrace=False)


def test_differences_name_cases():
    """Every name in pigeonhole-differences.txt is a golden case."""
    stray = sorted(set(KNOWN) - set(CASES))
    if stray:
        pytest.fail("%s lists cases that do not exist: %s" % (
            pigeonhole.DIFFERENCES.name, " ".join(stray)), pytrace=False)
