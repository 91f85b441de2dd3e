# SPDX-License-Identifier: MIT
"""mailsift-milter driven by miltertest: each scenario of lua/ runs
against a real daemon started with the scenario's Sieve script and
settings; miltertest checks the negotiated options, the replies and the
end-of-message changes, and the test checks what the milter logged, the
DSN it submitted, the MAC of its delivery hints, and the exact SMTP
reply texts at RCPT TO (miltertest cannot see those: the Python client
of conftest.py can)."""

import base64
import email
import email.policy
import hashlib
import hmac
import os
import re
import subprocess
import time

import pytest

STAGES = r"""require ["envelope", "environment", "variables", "editheader", "body", "ereject"];
# An RCPT-time rule that reads the envelope: the session's macros are
# then asked for at connect and MAIL (the stages miltertest can give).
if envelope :domain :is "to" "never.invalid" { ereject "no"; }
set "ip" ""; set "helo" ""; set "tls" ""; set "auth" ""; set "host" "";
if environment :matches "remote-ip" "*" { set "ip" "${1}"; }
if environment :matches "vnd.mailsift.helo" "*" { set "helo" "${1}"; }
if environment :matches "vnd.mailsift.tls" "*" { set "tls" "${1}"; }
if environment :matches "vnd.mailsift.sasl-user" "*" { set "auth" "${1}"; }
if environment :matches "host" "*" { set "host" "${1}"; }
addheader "X-Env" "ip=${ip} helo=${helo} tls=${tls} auth=${auth} host=${host}";
if envelope :matches "from" "*" { set "from" "${1}"; }
if envelope :matches "to" "*" { set "to" "${1}"; }
addheader "X-Envelope" "from=${from} to=${to}";
if header :matches "subject" "*" { addheader "X-Subject" "${1}"; }
if body :text :contains "magic-word" { addheader "X-Body" "yes"; }
"""

MINIMAL = """require "envelope";
if envelope :domain :is "from" "spam.example" { discard; }
"""

EARLY_RCPT = """require ["envelope", "ereject"];
if envelope :domain :is "to" "old.example" { ereject "moved"; }
"""

NO_EARLY = """require "ereject";
if header :contains "subject" "x" { keep; stop; }
ereject "no";
"""

PER_RCPT = """require ["envelope", "ereject"];
if allof (header :contains "subject" "report",
          envelope :domain :is "to" "refuse.example") {
  ereject "not for you";
}
"""

ALL_REFUSE = """require "ereject";
if header :contains "subject" "spam" { ereject "no spam here, thanks"; }
"""

EDITS = """require ["editheader", "envelope"];
addheader "X-Top" "on top";
addheader :last "X-Bottom" "at the end";
deleteheader "X-Remove";
if envelope :domain :is "to" "a.example" { addheader "X-A" "only for a.example"; }
"""

QUARANTINE = """require "vnd.mailsift.quarantine";
if header :contains "subject" "invoice" { quarantine "suspicious invoice"; }
"""

TEMPFAIL = """require ["vnd.mailsift.tempfail", "envelope"];
if envelope :domain :is "to" "busy.example" { tempfail "busy, retry"; }
if header :contains "subject" "later" { tempfail "come back later"; }
"""

DISCARD = """require "envelope";
if envelope :domain :is "to" "void.example" { discard; }
"""

REDIRECT = """require ["copy", "envelope"];
if envelope :localpart :is "to" "fwd" { redirect "elsewhere@example.net"; }
elsif envelope :localpart :is "to" "cc" { redirect :copy "archive@example.net"; }
"""

HINT = r"""require ["fileinto", "imap4flags"];
fileinto :flags "\\Seen" "Lists/dev";
"""

ERROR_COMMAND = """require ["ihave", "editheader"];
if header :contains "subject" "boom" { error "rule failed on purpose"; }
addheader "X-Ran" "yes";
"""

ERROR_REGEX = """require ["variables", "regex", "editheader"];
set "pat" "([";
if header :regex "subject" "${pat}" { addheader "X-Never" "1"; }
addheader "X-Ran" "yes";
"""


def rcpt_reply(mh, milter, milter_client, rcpt, sender="<a@example.com>"):
    """The exact reply the milter gives at RCPT TO."""
    c = milter_client(milter)
    c.mail(sender)
    return c.rcpt(rcpt)


def test_stages(milter_factory, miltertest):
    m = milter_factory(STAGES)
    miltertest("stages", m)
    assert "started on %s with %s (headers yes, body yes, RCPT-time yes)" % (
        m.spec, m.script_path) in m.log
    assert "4XyZ1: <bob@example.org>: accept\n" in m.log
    assert "4XyZ2: <carol@example.org>: accept\n" in m.log


def test_minimal_negotiation(milter_factory, miltertest):
    m = milter_factory(MINIMAL)
    miltertest("minimal", m)
    assert "(headers yes, body no, RCPT-time no)" in m.log
    assert "-: <bob@example.org>: discard\n" in m.log
    assert "-: <bob@example.org>: accept\n" in m.log


def test_early_rcpt_rejection(milter_factory, miltertest, milter_client, mh):
    m = milter_factory(EARLY_RCPT)
    miltertest("early_rcpt", m)
    assert ("info: from=<a@example.com> to=<x@old.example>: refused at RCPT: "
            "550 5.7.1 moved\n") in m.log
    assert "-: <y@new.example>: accept\n" in m.log
    assert "-: <x@old.example>" not in m.log  # not evaluated again at the end
    assert mh.reply_text(rcpt_reply(mh, m, milter_client, "<x@old.example>")) == \
        "550 5.7.1 moved"
    assert rcpt_reply(mh, m, milter_client, "<y@new.example>") == (b"c", b"")


def test_no_early_decision_when_a_header_could_save_it(milter_factory, miltertest):
    m = milter_factory(NO_EARLY)
    miltertest("no_early", m)
    assert "refused at RCPT" not in m.log
    assert '-: <bob@example.org>: refuse "no"\n' in m.log
    assert "-: <bob@example.org>: accept\n" in m.log


DSN_COMMAND = """#!/bin/sh
# $1: the output directory; $2: the DSN's recipient (appended by the milter)
n=$(ls "$1" | wc -l)
printf '%s\\n' "$2" > "$1/$n.rcpt"
cat > "$1/$n.eml"
"""


def test_per_recipient_refusal_and_dsn(milter_factory, miltertest, mh, tmp_path):
    out = mh.user_dir(tmp_path / "dsn")
    cmd = tmp_path / "dsn-submit"
    cmd.write_text(DSN_COMMAND)
    os.chmod(cmd, 0o755)
    m = milter_factory(PER_RCPT, ["dsn_submit = command:%s %s" % (cmd, out)])
    miltertest("per_rcpt", m)

    log = m.log
    assert "Qquar: <a@keep.example> and others: accept\n" in log
    assert 'Qquar: <b@refuse.example>: refuse "not for you"\n' in log
    assert "Qquar: DSN sent to <sender@example.com> for 1 recipient(s)\n" in log
    assert "Qweek: <b@refuse.example>: refused; no DSN to the null sender\n" in log
    assert "DSN sent" not in log.split("Qweek")[1]

    # One DSN: the null sender gets none.
    assert sorted(os.listdir(out)) == ["0.eml", "0.rcpt"]
    assert (out / "0.rcpt").read_text() == "sender@example.com\n"
    raw = (out / "0.eml").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["To"] == "<sender@example.com>"
    assert msg["From"] == "Mail Delivery System <MAILER-DAEMON@mx.example.net>"
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    parts = msg.get_payload()
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "message/delivery-status", "text/rfc822-headers"]
    status = parts[1].as_string()
    assert "Reporting-MTA: dns; mx.example.net" in status
    assert "Final-Recipient: rfc822; b@refuse.example" in status
    assert "Action: failed" in status
    assert "Status: 5.7.1" in status
    assert "Diagnostic-Code: smtp; 550 5.7.1 not for you" in status
    assert "keep.example" not in status
    assert "Subject: quarterly report" in parts[2].get_payload()


def test_all_recipients_refuse(milter_factory, miltertest):
    m = milter_factory(ALL_REFUSE)
    miltertest("all_refuse", m)
    assert '-: <bob@example.org> and others: refuse "no spam here, thanks"\n' in m.log


def test_header_edits(milter_factory, miltertest):
    m = milter_factory(EDITS)
    miltertest("edits", m)
    assert m.log.count("header edits not applied: the recipients' rules disagree\n") == 1


def test_quarantine(milter_factory, miltertest):
    miltertest("quarantine", milter_factory(QUARANTINE))


def test_tempfail(milter_factory, miltertest, milter_client, mh):
    m = milter_factory(TEMPFAIL)
    miltertest("tempfail", m)
    assert ("from=<a@example.com> to=<x@busy.example>: deferred at RCPT: "
            "451 4.7.1 busy, retry\n") in m.log
    assert '-: <bob@example.org>: tempfail "come back later"\n' in m.log
    assert mh.reply_text(rcpt_reply(mh, m, milter_client, "<x@busy.example>")) == \
        "451 4.7.1 busy, retry"


def test_discard(milter_factory, miltertest):
    m = milter_factory(DISCARD)
    miltertest("discard", m)
    assert "-: <x@void.example> and others: discard\n" in m.log


def test_redirect(milter_factory, miltertest):
    m = milter_factory(REDIRECT)
    miltertest("redirect", m)
    assert ("-: <fwd@example.org>: redirect to <elsewhere@example.net> skipped: "
            "it loops; kept\n") in m.log


def hint_fields(value):
    """The tags of a Mailsift-Hint field body (folded or not)."""
    flat = re.sub(r"\r?\n[ \t]", " ", value)
    return dict(item.strip().split("=", 1) for item in flat.split(";"))


def check_hint(value, key, message_id, rcpt="bob@example.org"):
    tags = hint_fields(value)
    assert set(tags) == {"v", "rcpt", "t", "folder", "flags", "mac"}, value
    assert tags["v"] == "1"
    assert tags["rcpt"] == "<%s>" % rcpt
    assert abs(int(tags["t"]) - time.time()) < 60
    assert base64.urlsafe_b64decode(tags["folder"] + "=" * (-len(tags["folder"]) % 4)) == \
        b"Lists/dev"
    assert "=" not in tags["folder"]
    assert tags["flags"] == "\\Seen"
    mid = re.sub(r"[\r\n]", "", message_id).strip(" \t")
    data = ("v=1\nrcpt=%s\nt=%s\nfolder=%s\nflags=%s\nmessage-id=%s\n"
            % (rcpt, tags["t"], tags["folder"], tags["flags"], mid)).encode()
    want = base64.b64encode(hmac.new(key, data, hashlib.sha256).digest()).decode()
    assert tags["mac"] == want, "the MAC does not verify: %s" % value


def test_delivery_hint_with_key(milter_factory, miltertest, mh, tmp_path):
    key = os.urandom(32)
    key_file = tmp_path / "hint.key"
    key_file.write_bytes(key)
    uid, gid = mh.ids()
    # Read at load (as root) and at every reload (as mailsift-test).
    os.chown(key_file, uid, gid)
    os.chmod(key_file, 0o600)
    m = milter_factory(HINT, ["hint_key_file = %s" % key_file])
    files = {n: tmp_path / n for n in ("hint1", "hint2", "mid2")}
    miltertest("hint", m, KEYED="1", HINTFILE=files["hint1"], HINTFILE2=files["hint2"],
               MIDFILE=files["mid2"])
    check_hint(files["hint1"].read_text(), key, "<hint-test@example.com>")
    made = files["mid2"].read_text()
    assert re.fullmatch(r"<\d+\.[0-9a-f]{16}\.mailsift@localhost>", made), made
    check_hint(files["hint2"].read_text(), key, made)
    with pytest.raises(AssertionError):
        check_hint(files["hint1"].read_text(), os.urandom(32), "<hint-test@example.com>")
    # Reloads run as mailsift-test: the key must still be readable.
    m.reload()
    assert "reload failed" not in m.log, m.log
    miltertest("hint", m, KEYED="1", HINTFILE=files["hint1"], HINTFILE2=files["hint2"],
               MIDFILE=files["mid2"])
    check_hint(files["hint1"].read_text(), key, "<hint-test@example.com>")


def test_delivery_hint_without_key(milter_factory, miltertest):
    m = milter_factory(HINT)
    miltertest("hint", m, KEYED="0")
    assert ("-: <bob@example.org>: fileinto Lists/dev ignored: no hint_key_file, "
            "delivered to INBOX\n") in m.log


@pytest.mark.parametrize("script,line,calm", [
    (ERROR_COMMAND, 2, "1"),
    (ERROR_REGEX, 3, "0"),
], ids=["error-command", "regex-at-run-time"])
@pytest.mark.parametrize("on_error", ["tempfail", "accept"])
def test_runtime_error(milter_factory, miltertest, script, line, calm, on_error):
    m = milter_factory(script, ["on_error = %s" % on_error])
    miltertest("runtime_error", m, ON_ERROR=on_error, CALM=calm)
    verb = "deferred" if on_error == "tempfail" else "accepted"
    assert re.search(r"-: <bob@example\.org>: runtime error at line %d: .+; %s \(on_error\)\n"
                     % (line, verb), m.log), m.log


def reload_script(name):
    return 'require "ereject";\nif header :contains "subject" "" { ereject "%s"; }\n' % name


def test_reload(milter_factory, miltertest):
    m = milter_factory(reload_script("A"))
    miltertest("reload_probe", m, EXPECT="A")

    # A changed file is noticed at the next connection (at most once a
    # second).
    m.write_script(reload_script("B"))
    time.sleep(1.1)
    miltertest("reload_probe", m, EXPECT="B")
    assert "info: reloaded %s (a file changed)\n" % m.script_path in m.log

    # SIGUSR1 reloads at once, without waiting for a connection.
    m.write_script(reload_script("C"))
    m.reload()
    assert "info: SIGUSR1: reloading\n" in m.log
    assert "info: reloaded %s (SIGUSR1)\n" % m.script_path in m.log
    miltertest("reload_probe", m, EXPECT="C")

    # A script that does not compile: logged, the old rules stay.
    m.write_script(BROKEN)
    m.reload()
    # (The file name is checked by test_reload_failure_names_the_script.)
    assert ":3:1: error: missing ';' after 'ereject' (before 'keep')\n" in m.log, m.log
    assert "error: reload failed: the rules loaded before stay in force\n" in m.log
    miltertest("reload_probe", m, EXPECT="C")
    # Also when the change is found by a connection, not a signal.
    m.write_script(BROKEN + "\n")
    time.sleep(1.1)
    miltertest("reload_probe", m, EXPECT="C")
    assert m.log.count("reload failed") == 2
    assert m.alive()


BROKEN = 'require "ereject";\nereject "D"\nkeep;\n'


def test_reload_failure_names_the_script(milter_factory):
    m = milter_factory(reload_script("A"))
    m.write_script(BROKEN)
    m.reload()
    assert ("error: %s:3:1: error: missing ';' after 'ereject' (before 'keep')\n"
            % m.script_path) in m.log


def test_connection_keeps_its_program(milter_factory, miltertest_binary, mh, tmp_path):
    m = milter_factory(reload_script("OLD"))
    phase, go = tmp_path / "phase", tmp_path / "go"
    args = [miltertest_binary, "-s", str(mh.LUA_DIR / "reload_keep.lua"),
            "-D", "SOCKET=%s" % m.spec, "-D", "LUADIR=%s" % mh.LUA_DIR,
            "-D", "OLD=OLD", "-D", "NEW=NEW", "-D", "PHASEFILE=%s" % phase,
            "-D", "GOFILE=%s" % go]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while not phase.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert phase.exists(), "miltertest did not get through its first message"
        m.write_script(reload_script("NEW"))
        m.reload()
        go.write_text("go")
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, "%s%s--- milter log\n%s" % (out, err, m.log)
