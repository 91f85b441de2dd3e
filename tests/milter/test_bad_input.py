# SPDX-License-Identifier: MIT
"""mailsift-milter under bad and large input, sent with the Python
milter client of conftest.py (miltertest's buffers are 1 KB): malformed
and 8-bit header fields, overlong lines, a 100 KB header field, 5000
recipients, a 50 MB body.  After each, the same daemon must still decide
a normal message right, and its peak RSS (VmHWM) must stay bounded."""

import pytest

SCRIPT = """require ["envelope", "ereject", "body", "editheader"];
if envelope :domain :is "to" "refused.example" { ereject "refused domain"; stop; }
if allof (header :contains "subject" "per-rcpt",
          envelope :domain :is "to" "late.example") {
  ereject "late refusal: this recipient does not take per-recipient reports, and this
reason is long on purpose, as administrators write them: it explains the policy, names
the contact address postmaster@example.org and the web page where the sender can ask
for an exception, https://example.org/mail-policy/exceptions";
}
if header :contains "subject" "block-me" { ereject "blocked subject"; }
if body :text :contains "needle-in-body" { addheader "X-Body-Match" "yes"; }
"""

MB = 1024 * 1024
# What a milter with a body test keeps for one message, beyond its
# baseline: one copy of the scanned text (at most body_scan), the body
# in memory up to limit_body_memory (1M) before it spills, the header up
# to limit_header_bytes (1M), libmilter's 64 KB command buffer; 16 MB of
# slack covers malloc's arenas and thread stacks touched.
SLACK_KB = 16 * 1024


def start(milter_factory, mh, tmp_path, settings=()):
    spill = mh.user_dir(tmp_path / "spill", 0o700)
    return milter_factory(SCRIPT, ["max_recipients = 10000", "tmpdir = %s" % spill] +
                          list(settings))


def client(mh, m):
    c = mh.Client(m.socket_path)
    c.open()
    return c


def assert_still_works(mh, m):
    """A normal message is refused by its subject; another gets its body
    tested."""
    assert m.alive(), m.log
    with client(mh, m) as c:
        c.mail("<a@example.com>")
        assert c.rcpt("<bob@example.org>") == (b"c", b"")
        c.header("From", "a@example.com")
        c.header("Subject", "please block-me")
        c.eoh()
        c.body(b"hello\r\n")
        assert c.eom() == ((b"y", b"550 5.7.1 blocked subject\0"), [])
        c.mail("<a@example.com>")
        assert c.rcpt("<bob@example.org>") == (b"c", b"")
        c.header("Subject", "fine")
        c.eoh()
        c.body(b"a needle-in-body here\r\n")
        assert c.eom() == ((b"c", b""), [(b"i", b"\0\0\0\0X-Body-Match\0yes\0")])
    assert m.alive(), m.log


def report_rss(capsys, what, m, base):
    rss = m.rss_kb()
    with capsys.disabled():
        print("\n[%s] mailsift-milter VmHWM %d kB (at start %d kB), VmRSS %d kB"
              % (what, rss["VmHWM"], base["VmHWM"], rss["VmRSS"]))
    return rss


def test_malformed_and_8bit_headers(milter_factory, mh, tmp_path, capsys):
    m = start(milter_factory, mh, tmp_path)
    base = m.rss_kb()
    garbage = bytes(range(1, 256)).replace(b"\n", b"").replace(b"\r", b"")
    with client(mh, m) as c:
        c.mail("<a@example.com>")
        c.rcpt("<bob@example.org>")
        c.header("This is not a header field", "")       # no colon in the line it was
        # (An empty name is not sent: libmilter itself drops the connection.)
        c.header("X-Empty", "")
        c.header(b"X-\xff\xfe\x80", b"8-bit name")
        c.header("X-Garbage", garbage)                   # every byte but NUL, CR, LF
        c.header("X-Bare-CR", b"one\rtwo\r\rthree")
        c.header("X-Folded-Badly", b"\n\n\n")
        c.header("X-Latin1", b"caf\xe9 \xa0 na\xefve")
        c.header("Subject", b"=?utf-8?b?!!!not base64?= \xff block-me \xc3")
        c.header("Content-Type", "multipart/mixed; boundary=")
        c.eoh()
        c.body(b"--\r\n--\r\n\xff\xfe\x00\x01\r\n")
        # The rules still read the Subject among the garbage.
        assert c.eom() == ((b"y", b"550 5.7.1 blocked subject\0"), [])
    assert_still_works(mh, m)
    report_rss(capsys, "malformed headers", m, base)


def test_overlong_lines(milter_factory, mh, tmp_path, capsys):
    m = start(milter_factory, mh, tmp_path)
    base = m.rss_kb()
    with client(mh, m) as c:
        c.mail("<a@example.com>")
        c.rcpt("<bob@example.org>")
        c.header("X-Long", "y" * 60000)                  # one 60 KB line
        c.header("Subject", "long lines")
        c.eoh()
        line = b"z" * 65535
        for _ in range(32):                             # one 2 MB line, no line end
            c.body(line)
        c.body(b" needle-in-body\r\n")
        final, mods = c.eom()
        assert final == (b"c", b"")
        assert all(cmd == b"i" for cmd, _ in mods), mods
    assert_still_works(mh, m)
    report_rss(capsys, "overlong lines", m, base)


def test_100kb_header_field(milter_factory, mh, tmp_path):
    m = start(milter_factory, mh, tmp_path)
    with client(mh, m) as c:
        c.mail("<a@example.com>")
        c.rcpt("<bob@example.org>")
        # 100 KB, folded as an MTA passes it: lines of 76 bytes.
        value = "\n\t".join(["w" * 75] * 1300) + " block-me"
        assert len(value) > 100000
        c.header("Subject", value)
        c.eoh()
        c.body(b"hi\r\n")
        assert c.eom() == ((b"y", b"550 5.7.1 blocked subject\0"), [])


def test_100kb_header_field_does_not_hurt_the_daemon(milter_factory, mh, tmp_path):
    m = start(milter_factory, mh, tmp_path)
    with client(mh, m) as c:
        c.mail("<a@example.com>")
        c.rcpt("<bob@example.org>")
        try:
            c.header("Subject", "v" * 100000)
            c.eoh()
            c.body(b"hi\r\n")
            c.eom()
        except (mh.Closed, OSError):
            pytest.fail("a 100 KB header field dropped the connection")
    assert_still_works(mh, m)


def test_5000_recipients(milter_factory, mh, tmp_path, capsys):
    m = start(milter_factory, mh, tmp_path)
    base = m.rss_kb()
    with client(mh, m) as c:
        c.mail("<a@example.com>")
        refused = 0
        for i in range(5000):
            domain = "refused.example" if i % 5 == 0 else "ok%d.example" % (i % 7)
            answer = c.rcpt("<user%d@%s>" % (i, domain))
            if domain == "refused.example":
                assert answer == (b"y", b"550 5.7.1 refused domain\0"), (i, answer)
                refused += 1
            else:
                assert answer == (b"c", b""), (i, answer)
        assert refused == 1000
        c.header("Subject", "to many")
        c.eoh()
        c.body(b"hello\r\n")
        assert c.eom() == ((b"c", b""), [])
    assert "refused at RCPT: 550 5.7.1 refused domain" in m.log
    assert m.log.count("refused at RCPT") == 1000
    assert_still_works(mh, m)
    rss = report_rss(capsys, "5000 recipients", m, base)
    # 4000 addresses kept and evaluated once each: a few MB.
    assert rss["VmHWM"] - base["VmHWM"] < 64 * 1024


def test_many_refused_at_end_of_message_get_a_dsn(milter_factory, mh, tmp_path):
    out = mh.user_dir(tmp_path / "dsn")
    cmd = tmp_path / "dsn-submit"
    cmd.write_text('#!/bin/sh\ncat > "$1/dsn.eml"\n')
    cmd.chmod(0o755)
    spill = mh.user_dir(tmp_path / "spill", 0o700)
    m = milter_factory(SCRIPT, ["tmpdir = %s" % spill, "dsn_submit = command:%s %s" % (cmd, out)])
    with client(mh, m) as c:
        c.mail("<a@example.com>")
        for i in range(1000):                            # max_recipients' default
            domain = "late.example" if i % 2 else "ok.example"
            assert c.rcpt("<user%d@%s>" % (i, domain)) == (b"c", b"")
        c.header("Subject", "the per-rcpt report")
        c.eoh()
        c.body(b"hello\r\n")
        final, mods = c.eom()
        assert final == (b"c", b""), final
        assert sum(cmd == b"-" for cmd, _ in mods) == 500
    assert (out / "dsn.eml").exists()


def send_big_body(c, size, needle_at_end):
    c.mail("<a@example.com>")
    assert c.rcpt("<bob@example.org>") == (b"c", b"")
    c.header("Subject", "big")
    c.eoh()
    chunk = (b"y" * 1021 + b"\r\n") * 64                 # 65472 bytes: under 64 KB
    for _ in range(size // len(chunk)):
        c.body(chunk)
    if needle_at_end:
        c.body(b"needle-in-body\r\n")
    return c.eom()


def test_50mb_body_beyond_body_scan(milter_factory, mh, tmp_path, capsys):
    # Only the first 4 MB are scanned: the body spills to tmpdir and the
    # needle at its end is not seen.
    m = start(milter_factory, mh, tmp_path, ["body_max = 4M"])
    base = m.rss_kb()
    with client(mh, m) as c:
        assert send_big_body(c, 50 * MB, True) == ((b"c", b""), [])
    assert_still_works(mh, m)
    rss = report_rss(capsys, "50 MB body, body_max = 4M", m, base)
    assert rss["VmHWM"] - base["VmHWM"] < 4 * 1024 + SLACK_KB


def test_50mb_body_with_body_test(milter_factory, mh, tmp_path, capsys):
    m = start(milter_factory, mh, tmp_path, ["body_max = 64M"])
    base = m.rss_kb()
    with client(mh, m) as c:
        # body_max = 64M: the needle at the end is found.
        assert send_big_body(c, 50 * MB, True) == \
            ((b"c", b""), [(b"i", b"\0\0\0\0X-Body-Match\0yes\0")])
    assert_still_works(mh, m)
    rss = report_rss(capsys, "50 MB body, body test", m, base)
    # The piece the body test reads and its case-folded copy, at once.
    assert rss["VmHWM"] - base["VmHWM"] < 2 * 50 * 1024 + SLACK_KB
    # Memory is given back or reused: a second such message does not
    # raise the peak much (no per-message leak of the scanned text).
    with client(mh, m) as c:
        send_big_body(c, 50 * MB, False)
    assert m.rss_kb()["VmHWM"] < rss["VmHWM"] + 64 * 1024


def test_50mb_body_memory_bound(milter_factory, mh, tmp_path):
    m = start(milter_factory, mh, tmp_path)
    base = m.rss_kb()
    with client(mh, m) as c:
        # Past body_max (16M by default): the needle is not seen.
        assert send_big_body(c, 50 * MB, True) == ((b"c", b""), [])
    # body_max (16M by default) is scanned: the piece the body test reads
    # and its case-folded copy are held at once.
    assert m.rss_kb()["VmHWM"] - base["VmHWM"] < 2 * 16 * 1024 + SLACK_KB
