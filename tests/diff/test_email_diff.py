# SPDX-License-Identifier: MIT
"""Differential test: `mailsift dump` against Python's standard-library email.

One test per message, over tests/messages/*.eml and ../shared/corpus/real/*.eml
(relative to the repository root; skipped with a reason when absent).  Compared:

  structure  pre-order (depth, content type) list, part count and maximum
             depth, against email.message_from_bytes(policy=compat32).walk();
  subject    the decoded first Subject, against str(msg['subject']) under
             email.policy.default (skipped when Python raises or there is
             no Subject);
  from/to/cc the addr-specs of all fields of that name, against
             [a.addr_spec for a in header.addresses] under policy.default
             (skipped when Python raises).

Undecodable bytes: mailsift's JSON writes each byte that is not valid UTF-8
as U+00XX (the byte's value); Python keeps such bytes as surrogate escapes,
and for header values then replaces them by U+FFFD.  Python's strings are
brought to mailsift's convention before comparing (py_text), so both sides
are compared on the same bytes.

Known disagreements live in known-disagreements.txt as `FILE FIELD reason`;
each must still disagree (strict: a listed field that now agrees fails the
test so the list stays honest), and is explained in docs/VIOLATIONS.md.

Needs MAILSIFT_BIN: the path of the mailsift program to test.
"""

import codecs
import email
import email.policy
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tests" / "messages"
REAL = ROOT.parent / "shared" / "corpus" / "real"
KNOWN_FILE = Path(__file__).resolve().with_name("known-disagreements.txt")
FIELDS = ("structure", "subject", "from", "to", "cc")
ADDRESS_FIELDS = ("from", "to", "cc")


def load_known():
    known = {}
    for lineno, line in enumerate(KNOWN_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3 or parts[1] not in FIELDS:
            raise ValueError("%s:%d: want `FILE FIELD reason`, FIELD one of %s"
                             % (KNOWN_FILE.name, lineno, "|".join(FIELDS)))
        known[(parts[0], parts[1])] = parts[2]
    return known


KNOWN = load_known()


def collect():
    params = []
    for path in sorted(SHIPPED.glob("*.eml")):
        params.append(pytest.param(path, id="messages/" + path.name))
    if REAL.is_dir():
        for path in sorted(REAL.glob("*.eml")):
            params.append(pytest.param(path, id="real/" + path.name))
    else:
        params.append(pytest.param(None, id="real/absent", marks=pytest.mark.skip(
            reason="%s is absent (only the project's own messages are compared)" % REAL)))
    return params


def run_dump(path):
    binary = os.environ.get("MAILSIFT_BIN")
    if not binary:
        pytest.fail("MAILSIFT_BIN is not set (the mailsift program to test)")
    proc = subprocess.run([binary, "dump", str(path)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        pytest.fail("mailsift dump %s exited %d: %s"
                    % (path.name, proc.returncode, proc.stderr.decode("utf-8", "replace")))
    return json.loads(proc.stdout)


# ---- our side ---------------------------------------------------------------

def our_structure(root):
    out = []

    def visit(part):
        out.append((part["depth"], part["content_type"]))
        for child in part.get("parts") or []:
            visit(child)

    visit(root)
    return out


def our_subject(root):
    for h in root.get("headers", []):
        if h["name"].lower() == "subject":
            return h["value"]
    return None


def our_addresses(root, field):
    return [a["address"] for a in root.get(field, [])]


# ---- Python's side ------------------------------------------------------------

def py_structure(data):
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    out = []

    def visit(part, depth):
        # Depth computed here the way mailsift counts it: every multipart and
        # every message/rfc822 whose payload was parsed adds a level, as
        # walk() descends into them.
        out.append((depth, part.get_content_type()))
        if part.is_multipart():
            for child in part.get_payload():
                visit(child, depth + 1)

    visit(msg, 0)
    return out


def py_default(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def _bytes_as_code_points(err):
    return "".join(chr(b) for b in err.object[err.start:err.end]), err.end


codecs.register_error("mailsift-bytes", _bytes_as_code_points)


def py_text(text):
    """Python's string with undecodable bytes as U+00XX, as mailsift writes them."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "mailsift-bytes")


def py_unsanitized(msg, name):
    """The decoded value of the first `name` field before Python's last step
    turns undecodable bytes into U+FFFD (BaseHeader.__new__ -> _sanitize)."""
    for field, value in msg.raw_items():
        if field.lower() == name:
            value = "".join(re.split(r"\n|\r", value))
            kwds = {"defects": []}
            msg.policy.header_factory[name].parse(value, kwds)
            return kwds["decoded"]
    return None


class Skip(Exception):
    """Python could not give a value for this field."""


def py_subject(msg):
    try:
        value = msg["subject"]
    except Exception as exc:  # noqa: BLE001 - any exception means "no opinion"
        raise Skip("Python raised %s" % type(exc).__name__)
    if value is None:
        raise Skip("no Subject")
    try:
        text = str(value)
        if "\ufffd" in text:
            text = py_unsanitized(msg, "subject")
        return py_text(text)
    except Exception as exc:  # noqa: BLE001
        raise Skip("Python raised %s" % type(exc).__name__)


def py_addresses(msg, field):
    try:
        out = []
        for header in msg.get_all(field) or []:
            out.extend(py_text(a.addr_spec) for a in header.addresses)
        return out
    except Exception as exc:  # noqa: BLE001
        raise Skip("Python raised %s" % type(exc).__name__)


def compare(path):
    """Returns ({field: (agree, ours, python)}, {field: skip reason})."""
    data = path.read_bytes()
    root = run_dump(path)
    results, skipped = {}, {}

    ours, theirs = our_structure(root), py_structure(data)
    summary = lambda s: {"parts": len(s), "max_depth": max(d for d, _ in s), "walk": s}
    results["structure"] = (ours == theirs, summary(ours), summary(theirs))
    if root.get("part_count") != len(ours):
        results["structure"] = (False, dict(summary(ours), part_count=root.get("part_count")),
                                summary(theirs))

    msg = py_default(data)
    try:
        theirs = py_subject(msg)
        ours = our_subject(root)
        results["subject"] = (ours == theirs, ours, theirs)
    except Skip as why:
        skipped["subject"] = str(why)
    for field in ADDRESS_FIELDS:
        try:
            theirs = py_addresses(msg, field)
            ours = our_addresses(root, field)
            results[field] = (ours == theirs, ours, theirs)
        except Skip as why:
            skipped[field] = str(why)
    return results, skipped


@pytest.mark.parametrize("path", collect())
def test_email_diff(path, diff_stats):
    stats = diff_stats
    results, skipped = compare(path)
    stats["compared"] += 1

    problems, expected = [], []
    for field, (agree, ours, theirs) in results.items():
        reason = KNOWN.get((path.name, field))
        if agree and reason is None:
            continue
        if agree:
            problems.append("%s: listed as a known disagreement (%s) but both now agree on %r;"
                            " remove it from %s" % (field, reason, ours, KNOWN_FILE.name))
        elif reason is None:
            problems.append("%s differs:\n    mailsift: %r\n    python:   %r"
                            % (field, ours, theirs))
        else:
            expected.append("%s (%s)" % (field, reason))
    for field, why in skipped.items():
        reason = KNOWN.get((path.name, field))
        if reason is not None:
            problems.append("%s: listed as a known disagreement but not comparable (%s)"
                            % (field, why))

    if problems:
        pytest.fail("%s:\n  %s" % (path.name, "\n  ".join(problems)), pytrace=False)
    if expected:
        pytest.xfail("known disagreement: " + "; ".join(expected))
    stats["agreed"] += 1


def test_known_list_names_existing_files():
    """Every entry of the known list names a message that is compared."""
    listed = {f for f, _ in KNOWN}
    shipped = {p.name for p in SHIPPED.glob("*.eml")}
    if REAL.is_dir():
        missing = listed - shipped - {p.name for p in REAL.glob("*.eml")}
    else:
        # Entries for the real corpus cannot be checked without it; those
        # for shipped messages are the ones shaped like shipped names.
        missing = {f for f in listed - shipped if not f.startswith("sa-")}
    assert not missing, "known-disagreements.txt names absent files: %s" % sorted(missing)


def test_known_list_is_documented():
    """Every known disagreement is explained in docs/VIOLATIONS.md."""
    doc = (ROOT / "docs" / "VIOLATIONS.md").read_text(encoding="utf-8")
    start = doc.find("## Differences from Python's email package")
    assert start >= 0, "docs/VIOLATIONS.md lacks the section on Python's email package"
    end = doc.find("\n## ", start + 1)
    section = doc[start:end if end >= 0 else len(doc)]
    missing = sorted("%s %s" % k for k in KNOWN
                     if k[0] not in section)
    assert not missing, "not explained in docs/VIOLATIONS.md: %s" % missing
