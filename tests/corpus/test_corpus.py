# SPDX-License-Identifier: MIT
"""Robustness of `mailsift dump` over every message we have.

For each message in ../shared/corpus/real (relative to the repository root;
skipped with a reason when absent) and in tests/messages: dump exits 0 and
prints one JSON object; part indexes are 0..N-1 in pre-order and match
part_count; every part's byte ranges are ordered and inside the message;
every child lies inside its parent's body, after its previous sibling; and
reading the same file from standard input (`dump -`) prints the same bytes.

Needs MAILSIFT_BIN: the path of the mailsift program to test.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tests" / "messages"
REAL = ROOT.parent / "shared" / "corpus" / "real"
TIMEOUT = 60


def collect():
    params = []
    if REAL.is_dir():
        params += [pytest.param(p, id="real/" + p.name) for p in sorted(REAL.glob("*.eml"))]
    else:
        params.append(pytest.param(None, id="real/absent", marks=pytest.mark.skip(
            reason="%s is absent (only the project's own messages are checked)" % REAL)))
    params += [pytest.param(p, id="messages/" + p.name) for p in sorted(SHIPPED.glob("*.eml"))]
    return params


def mailsift():
    binary = os.environ.get("MAILSIFT_BIN")
    if not binary:
        pytest.fail("MAILSIFT_BIN is not set (the mailsift program to test)")
    return binary


def run(args, stdin=None):
    proc = subprocess.run([mailsift()] + args, stdin=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=TIMEOUT)
    err = proc.stderr.decode("utf-8", "replace").strip()
    assert proc.returncode == 0, "mailsift %s exited %d: %s" % (" ".join(args), proc.returncode, err)
    return proc.stdout


def preorder(part):
    yield part
    for child in part.get("parts") or []:
        yield from preorder(child)


def check_part(part, size, where):
    h, hs = part["header_offset"], part["header_size"]
    b, bs = part["body_offset"], part["body_size"]
    for name, v in (("header_offset", h), ("header_size", hs), ("body_offset", b),
                    ("body_size", bs)):
        assert isinstance(v, int) and v >= 0, "%s: %s is %r" % (where, name, v)
    assert h + hs <= b, "%s: header [%d,+%d) runs past body_offset %d" % (where, h, hs, b)
    assert b + bs <= size, "%s: body [%d,+%d) runs past message_size %d" % (where, b, bs, size)

    children = part.get("parts") or []
    if children:
        assert part["decoded_size"] is None, "%s: a container has a decoded_size" % where
    prev_end = b
    for child in children:
        cw = "part %d" % child["index"]
        assert child["depth"] == part["depth"] + 1, "%s: depth %d under depth %d" % (
            cw, child["depth"], part["depth"])
        start, end = child["header_offset"], child["body_offset"] + child["body_size"]
        assert prev_end <= start and end <= b + bs, (
            "%s [%d,%d) is not inside %s's body [%d,%d) after its previous sibling (ends %d)"
            % (cw, start, end, where, b, b + bs, prev_end))
        prev_end = end


@pytest.mark.parametrize("path", collect())
def test_dump(path):
    out = run(["dump", str(path)])
    assert out.endswith(b"\n"), "output does not end with a newline"
    root = json.loads(out)
    assert isinstance(root, dict), "output is not a JSON object"

    data = path.read_bytes()
    size = root["message_size"]
    skipped = 0
    if data.startswith(b"From "):
        skipped = data.index(b"\n") + 1 if b"\n" in data else len(data)
    assert size in (len(data), len(data) - skipped), (
        "message_size %d, file has %d bytes" % (size, len(data)))

    parts = list(preorder(root))
    assert [p["index"] for p in parts] == list(range(len(parts))), \
        "part indexes are not 0..N-1 in pre-order"
    assert root["part_count"] == len(parts), "part_count %d, %d parts in the tree" % (
        root["part_count"], len(parts))
    assert root["depth"] == 0
    for part in parts:
        check_part(part, size, "part %d" % part["index"])

    with open(path, "rb") as f:
        via_stdin = run(["dump", "-"], stdin=f)
    assert via_stdin == out, "dump - (standard input) differs from dump FILE"
