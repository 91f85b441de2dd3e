# SPDX-License-Identifier: MIT
"""mailsift-milter inside a real Postfix: a private instance (postfix.py)
on a loopback port, relaying everything to Postfix's smtp-sink, with the
daemon of conftest.py as its smtpd_milters, and Python's smtplib as the
SMTP client.  Each test checks what the client is told (exact codes and
texts), what reaches the sink (envelope, header fields in order) and what
Postfix keeps in its queues: acceptance with header edits and incoming
hints deleted, signed hints over the Message-ID Postfix adds, refusals at
RCPT TO (texts with '%', multi-line, max_recipients) and at end of data,
tempfail, a partial refusal with its DSN through Postfix, redirects,
quarantine to the hold queue, discard, a milter killed under Postfix, and
hostile input through Postfix."""

import base64
import email
import email.policy
import hashlib
import hmac
import os
import pwd
import signal
import smtplib
import time

import pytest

import postfix as pfx

SENDER = "sender@example.com"


# ---- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def _test_account():
    """The milter's unprivileged account, as scripts/check makes it."""
    if pfx.postfix_missing() is None:
        pfx.ensure_account()


class Mta:
    """The module's Postfix and sink."""

    def __init__(self, pf, sink):
        self.pf = pf
        self.sink = sink
        self.port = pf.smtp_port

    def reset(self):
        self.pf.wait_queue_empty(20)
        held = [m["queue_id"] for m in self.pf.queue()]
        for qid in held:
            self.pf.postsuper("-d", qid)
        self.sink.clear()

    def settle(self, timeout=20):
        """Waits until Postfix has delivered or dropped everything (the hold
        queue aside); returns the sink's messages."""
        self.pf.wait_queue_empty(timeout)
        return self.sink.messages()


@pytest.fixture(scope="module")
def mta(tmp_path_factory):
    why = pfx.postfix_missing()
    if why is not None:
        pytest.skip(why)
    root = tmp_path_factory.mktemp("postfix")
    sink = pfx.SmtpSink(pfx.free_port(), root / "sink")
    pf = None
    try:
        sink.start()
        pf = pfx.PrivatePostfix(root / "pf", pfx.free_port(), sink_port=sink.port)
        pf.milter = pf.milter_spec
        pf.start()
        yield Mta(pf, sink)
    finally:
        if pf is not None:
            pf.stop()
        sink.stop()


@pytest.fixture
def sift(mta, milter_factory):
    """start(script, **settings) -> conftest's Milter, listening where the
    module's Postfix looks for its milter, with DSNs submitted to that
    Postfix (so they reach the sink through it)."""
    mta.reset()
    started = []

    def start(script, **settings):
        cfg = {"group": "postfix", "log_level": "debug",
               "dsn_submit": "smtp:127.0.0.1:%d" % mta.port}
        cfg.update(settings)
        m = milter_factory(script, cfg, start=False)
        m.socket_path = mta.pf.milter_socket
        m.spec = "unix:%s" % m.socket_path
        m.write_config()
        started.append(m)
        return m.start()

    yield start
    # libmilter sees SIGTERM only when its listener wakes up (every 5 s):
    # the clean stop is test_daemon.py's business, not this file's.
    for m in started:
        m.stop(sig=signal.SIGKILL)


# ---- the SMTP client --------------------------------------------------------------------

class Outcome:
    """What an SMTP client was told: code/text of the reply that ended the
    transaction (250 when accepted), the recipients refused at RCPT TO."""

    def __init__(self, code, text, refused=None, stage=""):
        self.code = code
        self.text = text
        self.refused = refused or {}
        self.stage = stage

    def __repr__(self):
        return "Outcome(%d %r at %s, refused=%r)" % (self.code, self.text, self.stage,
                                                     self.refused)


def send(port, rcpts, msg, sender=SENDER, client=None):
    """Sends one message (str or bytes); returns an Outcome.  With client,
    an open smtplib.SMTP is used and left open."""
    s = client or smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=60)
    try:
        refused = s.sendmail(sender, rcpts, msg)
        return Outcome(250, b"", refused, "DATA")
    except smtplib.SMTPRecipientsRefused as e:
        codes = {c for c, _ in e.recipients.values()}
        code = codes.pop() if len(codes) == 1 else 0
        return Outcome(code, b"", e.recipients, "RCPT")
    except smtplib.SMTPSenderRefused as e:
        return Outcome(e.smtp_code, e.smtp_error, stage="MAIL")
    except smtplib.SMTPDataError as e:
        return Outcome(e.smtp_code, e.smtp_error, stage="DATA")
    finally:
        if client is None:
            try:
                s.quit()
            except smtplib.SMTPException:
                s.close()


def message(subject, to="rcpt@example.org", extra="", body="Hello.\n"):
    return ("From: Sender <%s>\nTo: <%s>\nSubject: %s\nMessage-ID: <%s@client.test>\n%s\n%s"
            % (SENDER, to, subject, abs(hash((subject, extra, time.time()))), extra, body))


def header(msg, name):
    """Every value of a header field of a SinkMessage."""
    return [v for n, v in msg.headers if n.lower() == name.lower()]


def all_rcpts(msgs):
    return sorted(r for m in msgs for r in m.rcpts)


def postfix_log_lines(pf, text):
    return [line for line in pf.log.splitlines() if text in line]


# ---- 1. accepted ------------------------------------------------------------------------

EDIT = """require ["editheader"];
if header :contains "subject" "report" { addheader "X-Sifted" "report seen"; }
"""


def test_accepted_message_edited_and_hint_stripped(mta, sift):
    m = sift(EDIT)
    out = send(mta.port, ["bob@example.org", "carol@example.net"],
               message("Weekly report", extra="Mailsift-Hint: v=1; rcpt=<bob@example.org>; "
                       "folder=SW5ib3g; mac=forged\n"))
    assert (out.code, out.refused) == (250, {}), out
    msgs = mta.settle()
    assert len(msgs) == 1, msgs
    got = msgs[0]
    assert got.sender == SENDER
    assert sorted(got.rcpts) == ["bob@example.org", "carol@example.net"]
    # addheader without :last puts the field on top (RFC 5293 section 4).
    assert got.headers[0] == ("X-Sifted", "report seen")
    assert header(got, "X-Sifted") == ["report seen"]
    assert header(got, "Mailsift-Hint") == []
    assert header(got, "Subject") == ["Weekly report"]
    assert got.body == b"Hello.\n"
    assert "<bob@example.org> and others: accept" in m.log


SESSION = r"""require ["environment", "variables", "editheader", "envelope"];
set "ip" ""; set "host" ""; set "tls" ""; set "auth" ""; set "name" "";
if environment :matches "remote-ip" "*" { set "ip" "${1}"; }
if environment :matches "host" "*" { set "host" "${1}"; }
if environment :matches "vnd.mailsift.tls" "*" { set "tls" "${1}"; }
if environment :matches "vnd.mailsift.sasl-user" "*" { set "auth" "${1}"; }
if environment :matches "vnd.mailsift.helo" "*" { set "name" "${1}"; }
if envelope :matches "from" "*" { set "from" "${1}"; }
addheader "X-Session" "ip=${ip} host=${host} tls=${tls} auth=${auth} helo=${name} from=${from}";
"""


@pytest.mark.parametrize("early", [False, True])
def test_session_items_from_postfix(mta, sift, early):
    # Without RCPT-time rules the session's macros are asked for once, at
    # the end of the message; with them, at connect and MAIL.  Both must
    # give the rules the same environment.
    script = SESSION
    if early:
        script = script.replace('"envelope"];', '"envelope", "ereject"];\n'
                                'if envelope :domain :is "to" "never.invalid" { ereject "no"; }')
    m = sift(script)
    out = send(mta.port, ["bob@example.org"], message("session"))
    assert (out.code, out.refused) == (250, {}), out
    msgs = mta.settle()
    assert len(msgs) == 1, msgs
    assert header(msgs[0], "X-Session") == [
        "ip=127.0.0.1 host=mx.test tls=no auth= helo=client.test from=%s" % SENDER]
    assert ("RCPT-time %s)" % ("yes" if early else "no")) in m.log


EDIT_ENVELOPE_ONLY = """require ["editheader"];
addheader "X-Sifted" "yes";
"""


def test_hint_stripped_when_rules_read_no_header(mta, sift):
    # DESIGN.md: incoming hints are always deleted, so the header is
    # negotiated even when no rule reads it.
    sift(EDIT_ENVELOPE_ONLY)
    out = send(mta.port, ["bob@example.org"],
               message("hello", extra="Mailsift-Hint: v=1; rcpt=<bob@example.org>; "
                       "folder=SW5ib3g; mac=forged\n"))
    assert out.code == 250, out
    msgs = mta.settle()
    assert len(msgs) == 1 and header(msgs[0], "X-Sifted") == ["yes"], msgs
    assert header(msgs[0], "Mailsift-Hint") == []


EDITS = """require ["editheader"];
deleteheader :contains "X-Tag" "b";
addheader :last "X-Last" "z";
addheader "X-First" "y";
"""


def test_header_edits_land_where_planned(mta, sift):
    # Postfix numbers fields per name as the milter does (its own Received
    # field included); hints are deleted from the last one up.
    sift(EDITS)
    raw = ("From: <sender@example.com>\nTo: <x@example.org>\nSubject: tags\n"
           "Date: Sun, 22 Nov 2026 01:00:00 +0000\nMessage-ID: <tags@client.test>\n"
           "X-Tag: a\nMailsift-Hint: one\nX-Tag: b\nX-Tag: c\nMailsift-Hint: two\n\nbody\n")
    out = send(mta.port, ["bob@example.org"], raw)
    assert out.code == 250, out
    msgs = mta.settle()
    assert len(msgs) == 1, msgs
    assert [n for n, _ in msgs[0].headers] == [
        "X-First", "Received", "From", "To", "Subject", "Date", "Message-ID", "X-Tag", "X-Tag",
        "X-Last"]
    assert header(msgs[0], "X-Tag") == ["a", "c"]
    assert (header(msgs[0], "X-First"), header(msgs[0], "X-Last")) == (["y"], ["z"])


HINT = """require ["fileinto", "imap4flags", "envelope"];
if envelope :localpart :is "to" "bob" { fileinto :flags "\\\\Seen" "Work/Reports"; }
"""


def check_hint(value, key, message_id, rcpt, folder, flags):
    """The tags of a Mailsift-Hint and its MAC, as the Dovecot plugin
    checks them (shared/mail/delivery-hint.h)."""
    tags = dict(item.strip().split("=", 1) for item in value.split(";"))
    assert set(tags) == {"v", "rcpt", "t", "folder", "flags", "mac"}, value
    assert (tags["v"], tags["rcpt"], tags["flags"]) == ("1", "<%s>" % rcpt, flags)
    assert base64.urlsafe_b64decode(tags["folder"] + "=" * (-len(tags["folder"]) % 4)) == \
        folder.encode()
    data = ("v=1\nrcpt=%s\nt=%s\nfolder=%s\nflags=%s\nmessage-id=%s\n"
            % (rcpt, tags["t"], tags["folder"], tags["flags"], message_id)).encode()
    mac = base64.b64encode(hmac.new(key, data, hashlib.sha256).digest()).decode()
    assert tags["mac"] == mac, "the MAC does not verify: %s" % value


def test_hint_signs_the_message_id_postfix_added(mta, sift, tmp_path):
    key = os.urandom(32)
    key_file = tmp_path / "hint.key"
    key_file.write_bytes(key)
    pw = pwd.getpwnam(pfx.MILTER_ACCOUNT)
    os.chown(key_file, pw.pw_uid, pw.pw_gid)
    os.chmod(key_file, 0o600)
    sift(HINT, hint_key_file=str(key_file))
    # No Message-ID: Postfix's cleanup adds one before the milter sees the
    # header, and the hint must be signed over that one, not a second.
    raw = "From: <sender@example.com>\nTo: <bob@example.org>\nSubject: no id\n\nbody\n"
    out = send(mta.port, ["bob@example.org", "carol@example.org"], raw)
    assert out.code == 250, out
    msgs = mta.settle()
    assert len(msgs) == 1, msgs
    mids = header(msgs[0], "Message-ID")
    assert len(mids) == 1 and mids[0].endswith("@mx.test>"), msgs[0].headers
    hints = header(msgs[0], "Mailsift-Hint")
    assert len(hints) == 1, msgs[0].headers
    check_hint(hints[0], key, mids[0], "bob@example.org", "Work/Reports", "\\Seen")


# ---- 2. refusal at RCPT TO --------------------------------------------------------------

EARLY = """require ["envelope", "ereject"];
if envelope :domain :is "to" "old.example" { ereject "This address moved away"; }
"""


def test_rcpt_refused_early(mta, sift):
    m = sift(EARLY)
    out = send(mta.port, ["bob@old.example", "alice@new.example"], message("hi"))
    assert out.code == 250 and out.stage == "DATA", out
    assert out.refused == {"bob@old.example": (550, b"5.7.1 This address moved away")}
    msgs = mta.settle()
    assert [m_.rcpts for m_ in msgs] == [["alice@new.example"]]
    assert "to=<bob@old.example>: refused at RCPT: 550 5.7.1 This address moved away" in m.log
    # Postfix logged the refusal as the milter's, at RCPT.
    assert [line for line in postfix_log_lines(mta.pf, "milter-reject: RCPT from")
            if "550 5.7.1 This address moved away; from=<%s> to=<bob@old.example>" % SENDER
            in line], mta.pf.log_tail()

    # Every recipient refused: no transaction at all.
    out = send(mta.port, ["carol@old.example"], message("hi again"))
    assert (out.stage, out.code) == ("RCPT", 550), out
    assert out.refused == {"carol@old.example": (550, b"5.7.1 This address moved away")}
    assert mta.settle() == msgs


LONG_TEXT = " ".join("word%d" % i for i in range(150))
TEXTS = """require ["envelope", "ereject"];
if envelope :localpart :is "to" "pct" { ereject "100% spam, really 50%"; }
if envelope :localpart :is "to" "long" { ereject "LONG"; }
""".replace("LONG", LONG_TEXT)


def test_reply_texts_reach_the_client_intact(mta, sift):
    # libmilter formats reply texts ('%' doubled by the milter) and
    # Postfix turns a multi-line reply into 550-/550 lines.
    sift(TEXTS)
    out = send(mta.port, ["pct@example.org", "long@example.org", "ok@example.org"],
               message("texts"))
    assert out.code == 250, out
    assert out.refused["pct@example.org"] == (550, b"5.7.1 100% spam, really 50%")
    code, text = out.refused["long@example.org"]
    lines = text.decode().split("\n")
    assert code == 550 and len(lines) > 1, out
    assert all(line.startswith("5.7.1 ") and len(line) <= 6 + 400 for line in lines), lines
    assert " ".join(line[6:] for line in lines) == LONG_TEXT
    assert [x.rcpts for x in mta.settle()] == [["ok@example.org"]]


def test_rcpt_refusal_logged_as_sent(mta, sift):
    # The log shows the text the client got, not libmilter's escaped form.
    m = sift(TEXTS)
    out = send(mta.port, ["pct@example.org", "ok@example.org"], message("texts"))
    assert out.refused["pct@example.org"] == (550, b"5.7.1 100% spam, really 50%")
    assert "to=<pct@example.org>: refused at RCPT: 550 5.7.1 100% spam, really 50%\n" in m.log


def test_max_recipients_through_postfix(mta, sift):
    m = sift(EARLY, max_recipients="3")
    rcpts = ["a@example.org", "b@old.example", "c@example.org", "d@example.org",
             "e@example.org"]
    out = send(mta.port, rcpts, message("crowd"))
    assert out.code == 250, out
    # The refused one counts: the 4th and 5th are over the limit.
    assert out.refused == {"b@old.example": (550, b"5.7.1 This address moved away"),
                           "d@example.org": (452, b"4.5.3 Too many recipients"),
                           "e@example.org": (452, b"4.5.3 Too many recipients")}
    assert all_rcpts(mta.settle()) == ["a@example.org", "c@example.org"]
    assert m.alive()


# ---- 3. refusal at end of data ----------------------------------------------------------

REJECT_ALL = """require ["reject"];
if header :contains "subject" "lottery" { reject "We do not take part in lotteries"; }
"""


def test_message_refused_at_end_of_data(mta, sift):
    sift(REJECT_ALL)
    out = send(mta.port, ["bob@example.org", "carol@example.net"],
               message("You won the lottery"))
    assert (out.stage, out.code, out.text) == (
        "DATA", 550, b"5.7.1 We do not take part in lotteries"), out
    assert out.refused == {}
    assert mta.settle() == []
    assert mta.pf.queue() == []
    assert [line for line in postfix_log_lines(mta.pf, "milter-reject: END-OF-MESSAGE")
            if "5.7.1 We do not take part in lotteries;" in line], mta.pf.log_tail()


# ---- 4. tempfail ------------------------------------------------------------------------

TEMPFAIL = """require ["vnd.mailsift.tempfail"];
if header :contains "subject" "later" { tempfail "Busy, come back later"; }
"""


def test_tempfail_defers_the_message(mta, sift):
    sift(TEMPFAIL)
    out = send(mta.port, ["bob@example.org"], message("see you later"))
    assert (out.stage, out.code, out.text) == ("DATA", 451, b"4.7.1 Busy, come back later"), out
    assert mta.settle() == []
    assert mta.pf.queue() == [] and mta.pf.queue_files() == []
    # The same rules accept what they do not defer.
    out = send(mta.port, ["bob@example.org"], message("now"))
    assert out.code == 250, out
    assert [m.rcpts for m in mta.settle()] == [["bob@example.org"]]


# ---- 5. partial refusal and its DSN -----------------------------------------------------

PARTIAL = """require ["envelope", "ereject"];
if allof (header :contains "subject" "offer",
          envelope :domain :is "to" "strict.example") {
    ereject "No offers for this domain";
}
"""


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def test_partial_refusal_sends_dsn(mta, sift):
    m = sift(PARTIAL)
    out = send(mta.port, ["alice@strict.example", "bob@open.example"],
               message("Special offer", to="alice@strict.example"))
    # Decided at end of data: the header is needed, so RCPT TO passed.
    assert (out.code, out.refused) == (250, {}), out
    msgs = mta.settle()
    originals = [x for x in msgs if x.sender == SENDER]
    dsns = [x for x in msgs if x.sender == ""]
    assert len(originals) == 1 and len(dsns) == 1, msgs
    assert originals[0].rcpts == ["bob@open.example"]
    assert header(originals[0], "Subject") == ["Special offer"]

    dsn = dsns[0]
    assert dsn.rcpts == [SENDER]
    report = parse(dsn.raw)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert report["Auto-Submitted"] == "auto-replied"
    assert "MAILER-DAEMON@mx.test" in report["From"]
    assert report["To"] == "<%s>" % SENDER
    parts = report.get_payload()
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "message/delivery-status", "text/rfc822-headers"]
    blocks = parts[1].get_payload()
    assert blocks[0]["Reporting-MTA"] == "dns; mx.test"
    rcpt_blocks = blocks[1:]
    assert len(rcpt_blocks) == 1
    b = rcpt_blocks[0]
    assert b["Final-Recipient"] == "rfc822; alice@strict.example"
    assert b["Action"] == "failed"
    assert b["Status"] == "5.7.1"
    assert b["Diagnostic-Code"] == "smtp; 550 5.7.1 No offers for this domain"
    assert "Subject: Special offer" in parts[2].get_payload()
    assert "DSN sent to <%s> for 1 recipient(s)" % SENDER in m.log


def test_partial_refusal_many_recipients_one_dsn(mta, sift):
    sift(PARTIAL)
    refused = ["u%03d@strict.example" % i for i in range(300)]
    out = send(mta.port, refused + ["bob@open.example"], message("Special offer"))
    assert (out.code, out.refused) == (250, {}), out
    msgs = mta.settle()
    assert [(x.sender, x.rcpts) for x in msgs if x.sender == SENDER] == [
        (SENDER, ["bob@open.example"])]
    dsns = [x for x in msgs if x.sender == ""]
    assert len(dsns) == 1 and dsns[0].rcpts == [SENDER], msgs
    blocks = parse(dsns[0].raw).get_payload()[1].get_payload()[1:]
    assert sorted(b["Final-Recipient"] for b in blocks) == [
        "rfc822; %s" % r for r in refused]
    assert {b["Status"] for b in blocks} == {"5.7.1"}


def test_partial_refusal_null_sender_no_dsn(mta, sift):
    m = sift(PARTIAL)
    out = send(mta.port, ["alice@strict.example", "bob@open.example"],
               message("Special offer"), sender="")
    assert (out.code, out.refused) == (250, {}), out
    msgs = mta.settle()
    assert [(x.sender, x.rcpts) for x in msgs] == [("", ["bob@open.example"])]
    assert "<alice@strict.example>: refused; no DSN to the null sender" in m.log


# ---- 6. redirect ------------------------------------------------------------------------

REDIRECT = """require ["envelope", "copy"];
if envelope :localpart :is "to" "moved" { redirect "new-home@example.net"; }
elsif envelope :localpart :is "to" "watched" { redirect :copy "archive@example.net"; }
"""


def test_redirect_and_redirect_copy(mta, sift):
    sift(REDIRECT)
    out = send(mta.port, ["moved@example.org"], message("for the moved one"))
    assert (out.code, out.refused) == (250, {}), out
    msgs = mta.settle()
    assert [x.rcpts for x in msgs] == [["new-home@example.net"]]
    assert header(msgs[0], "Mailsift-Redirected") == ["<new-home@example.net>"]

    mta.sink.clear()
    out = send(mta.port, ["watched@example.org"], message("for the watched one"))
    assert (out.code, out.refused) == (250, {}), out
    msgs = mta.settle()
    assert all_rcpts(msgs) == ["archive@example.net", "watched@example.org"]
    assert all(header(x, "Mailsift-Redirected") == ["<archive@example.net>"] for x in msgs)


# ---- 7. quarantine ----------------------------------------------------------------------

QUARANTINE = """require ["vnd.mailsift.quarantine"];
if header :contains "subject" "invoice.exe" { quarantine "executable attachment"; }
"""


def test_quarantine_goes_to_hold_queue(mta, sift):
    sift(QUARANTINE)
    out = send(mta.port, ["bob@example.org"], message("your invoice.exe"))
    assert (out.code, out.refused) == (250, {}), out
    assert mta.settle() == []
    queued = mta.pf.queue()
    assert len(queued) == 1, queued
    q = queued[0]
    assert q["queue_name"] == "hold"
    assert q["sender"] == SENDER
    assert [r["address"] for r in q["recipients"]] == ["bob@example.org"]
    assert "Subject: your invoice.exe" in mta.pf.postcat(q["queue_id"])
    # Postfix does not keep the reason smfi_quarantine gave.
    hold = postfix_log_lines(mta.pf, q["queue_id"] + ": milter-hold: END-OF-MESSAGE")
    assert len(hold) == 1 and "milter triggers HOLD action" in hold[0], mta.pf.log_tail()


def test_quarantine_reason_logged(mta, sift):
    m = sift(QUARANTINE)
    out = send(mta.port, ["bob@example.org"], message("your invoice.exe"))
    assert out.code == 250, out
    qid = mta.pf.queue()[0]["queue_id"]
    assert [line for line in m.log.splitlines()
            if qid in line and "executable attachment" in line], m.log


# ---- 8. discard -------------------------------------------------------------------------

DISCARD = """require "envelope";
if header :contains "subject" "unwanted" { discard; }
elsif envelope :localpart :is "to" "nobody" { discard; }
"""


def test_discard_accepts_and_drops(mta, sift):
    sift(DISCARD)
    before = len(postfix_log_lines(mta.pf, "milter-discard: END-OF-MESSAGE"))
    out = send(mta.port, ["bob@example.org", "carol@example.org"], message("unwanted stuff"))
    assert (out.code, out.refused) == (250, {}), out
    assert mta.settle() == []
    assert mta.pf.queue() == []
    assert len(postfix_log_lines(mta.pf, "milter-discard: END-OF-MESSAGE")) == before + 1
    # Discarded for one recipient only: the others still get it.
    out = send(mta.port, ["nobody@example.org", "carol@example.org"], message("hello"))
    assert (out.code, out.refused) == (250, {}), out
    assert [x.rcpts for x in mta.settle()] == [["carol@example.org"]]


# ---- 9. the milter killed under Postfix -------------------------------------------------

# Postfix's reply when its milter is gone and milter_default_action = tempfail.
UNAVAILABLE = b"4.7.1 Service unavailable - try again later"


def test_killed_milter_tempfails_then_recovers(mta, sift):
    m = sift(EDIT)
    client = smtplib.SMTP("127.0.0.1", mta.port, local_hostname="client.test", timeout=60)
    try:
        out = send(mta.port, ["bob@example.org"], message("report 1"), client=client)
        assert out.code == 250, out
        m.stop(sig=signal.SIGKILL)
        # The same session, then a new one: Postfix defers, as
        # milter_default_action = tempfail says.
        out = send(mta.port, ["bob@example.org"], message("report 2"), client=client)
        assert (out.stage, out.code) == ("RCPT", 451), out
        assert out.refused == {"bob@example.org": (451, UNAVAILABLE)}
    finally:
        client.close()
    out = send(mta.port, ["bob@example.org"], message("report 3"))
    assert (out.stage, out.code, out.text) == ("MAIL", 451, UNAVAILABLE), out
    msgs = mta.settle()
    assert mta.pf.queue() == []
    assert [header(x, "Subject") for x in msgs] == [["report 1"]]

    m.start()
    out = send(mta.port, ["bob@example.org"], message("report 4"))
    assert out.code == 250, out
    msgs = mta.settle()
    assert [header(x, "Subject") for x in msgs] == [["report 1"], ["report 4"]]
    assert header(msgs[1], "X-Sifted") == ["report seen"]


# ---- 10. hostile input through Postfix --------------------------------------------------

HOSTILE = """require ["envelope", "ereject", "regex", "editheader"];
if envelope :domain :is "to" "blocked.example" { ereject "blocked"; }
if header :regex "x-junk" "^[a-z]+$" { addheader "X-Junk-Alpha" "yes"; }
if header :contains "subject" "ping" { addheader "X-Pong" "yes"; }
"""


def still_answers(mta, m):
    """The milter is up and filters the next ordinary message."""
    assert m.alive(), m.log
    mta.sink.clear()
    out = send(mta.port, ["bob@example.org"], message("ping"))
    assert out.code == 250, out
    msgs = mta.settle()
    assert [header(x, "X-Pong") for x in msgs] == [["yes"]], msgs
    mta.sink.clear()


def test_hostile_input_through_postfix(mta, sift):
    m = sift(HOSTILE)

    # 8-bit garbage in header fields (no NUL: SMTP cannot carry it).
    junk = b"\xff\xfe\x80 caf\xe9 \xc3\x28 \x1b[0m \x7f"
    raw = (b"From: <sender@example.com>\r\nTo: <bob@example.org>\r\nSubject: \xe9t\xe9 "
           b"\x8f\r\nX-Junk: " + junk + b"\r\nNoColonHere\r\n\r\nbody \xff\r\n")
    out = send(mta.port, ["bob@example.org"], raw)
    assert out.code == 250, out
    msgs = mta.settle()
    assert len(msgs) == 1, msgs
    assert b"X-Junk: " + junk in msgs[0].raw
    assert header(msgs[0], "X-Junk-Alpha") == []
    still_answers(mta, m)

    # A 200 KB header line: Postfix cuts it and its SMTP client folds what
    # is left at 998 bytes; the milter saw one unbroken value (its regex
    # rule fired) and the fields after it are intact.
    long_value = "a" * 200000
    out = send(mta.port, ["bob@example.org"],
               "Subject: long\r\nX-Junk: %s\r\nX-After: 1\r\n\r\nbody\r\n" % long_value)
    assert out.code == 250, out
    msgs = mta.settle()
    assert len(msgs) == 1, msgs
    got = header(msgs[0], "X-Junk")
    assert len(got) == 1, [len(v) for v in got]
    unfolded = got[0].replace(" ", "")
    assert 10000 < len(unfolded) <= len(long_value) and set(unfolded) == {"a"}
    assert header(msgs[0], "X-Junk-Alpha") == ["yes"]
    assert header(msgs[0], "X-After") == ["1"]
    assert msgs[0].body == b"body\n"
    still_answers(mta, m)

    # 1000 recipients (Postfix's and the milter's limit), one refused at RCPT.
    rcpts = ["r%04d@example.org" % i for i in range(999)] + ["x@blocked.example"]
    out = send(mta.port, rcpts, message("many"))
    assert out.code == 250, out
    assert out.refused == {"x@blocked.example": (550, b"5.7.1 blocked")}
    msgs = mta.settle(60)
    assert all_rcpts(msgs) == sorted(rcpts[:-1])
    still_answers(mta, m)
    print("milter peak RSS after the hostile input: %d kB" % m.rss_kb()["VmHWM"])
