# SPDX-License-Identifier: MIT
"""Proof of the private-Dovecot harness (dovecot.py), before our plugins
exist: LMTP delivery with one reply per recipient (refused at RCPT,
failed at DATA, saved), the exact stored bytes over IMAP and on disk,
non-ASCII folder names through modified UTF-7, Pigeonhole's sieve plugin
filing into folders with exact IMAP flags (over LMTP and dovecot-lda),
redirect and reject reaching smtp-sink through submission_host, a
plugin directory mixed with Dovecot's own modules, settings per protocol
and per user, reload, start failures that say why, listeners on loopback
only, and stop() leaving no process behind."""

import imaplib
import os
import re
import shutil
import socket
import time
from pathlib import Path

import pytest

import dovecot as dvc

SENDER = "sender@example.com"
DATE = r"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}"
SIEVE = {"sieve": "file:~/sieve;active=~/.dovecot.sieve"}


def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def saved_id(reply, rcpt):
    """The session id of a `250 2.0.0 <rcpt> ID Saved` LMTP reply."""
    code, text = reply
    m = re.fullmatch(r"2\.0\.0 <%s> (\S+) Saved" % re.escape(rcpt), text)
    assert code == 250 and m, reply
    return m.group(1)


def lmtp_prefix(session_id, rcpt=None):
    """The header fields Dovecot's LMTP puts before a message: with one
    recipient, Delivered-To and `for <rcpt>` too."""
    p = re.escape(b"Return-Path: <%s>\r\n" % SENDER.encode())
    if rcpt:
        p += re.escape(b"Delivered-To: %s\r\n" % rcpt.encode())
    p += re.escape(b"Received: from client.example ([127.0.0.1])\r\n"
                   b"\tby mx.example.org with LMTP\r\n"
                   b"\tid %s\r\n"
                   b"\t(envelope-from <%s>)" % (session_id.encode(), SENDER.encode()))
    if rcpt:
        p += re.escape(b"\r\n\tfor <%s>" % rcpt.encode())
    return p + b"; " + DATE.encode() + b"\r\n"


def maildir_files(maildir):
    return sorted(p for sub in ("new", "cur") for p in (maildir / sub).iterdir())


def wait_files(sink, n, timeout=5):
    end = time.monotonic() + timeout
    while len(sink.files()) < n and time.monotonic() < end:
        time.sleep(0.02)
    return sink.messages()


# ---- LMTP and IMAP ------------------------------------------------------------------------

def test_lmtp_replies_per_recipient(dovecot_factory):
    dc = dovecot_factory(start=False)
    dc.add_user("carol", extra_userdb_fields={"mail": "maildir:/proc/nope/Maildir"})
    dc.add_user("dave", extra_userdb_fields={"userdb_mail": "maildir:~/Other"})
    dc.start()
    msg = b"From: x@example.com\nSubject: four\n\nhello\n"
    rcpts = ["alice@example.org", "nobody@example.org", "bob@example.org",
             "carol@example.org", "dave@example.org"]
    r = dc.deliver(rcpts, msg)
    assert list(r) == rcpts
    sid = saved_id(r["alice@example.org"], "alice@example.org")
    # Refused at RCPT, only that recipient.
    assert r["nobody@example.org"] == (
        550, "5.1.1 <nobody@example.org> User doesn't exist: nobody@example.org")
    # Replies to DATA, one per accepted recipient, in RCPT order.
    assert saved_id(r["bob@example.org"], "bob@example.org") == sid + ":R3"
    code, text = r["carol@example.org"]
    assert code == 451
    assert text.startswith("4.2.0 <carol@example.org> Internal error occurred. "
                           "Refer to server log for more information. [")
    assert saved_id(r["dave@example.org"], "dave@example.org") == sid + ":R5"
    assert "rcpt carol@example.org: mkdir(/proc/nope/Maildir) failed" in dc.log()
    # Several recipients: no Delivered-To, no `for`.
    for user in ("alice", "bob", "dave"):
        (uid, flags, raw), = dc.messages(user)
        assert (uid, flags) == (1, set())
        m = re.fullmatch(lmtp_prefix(sid) + re.escape(crlf(msg)), raw)
        assert m, (user, raw)
    # dave's userdb field moved his mail to ~/Other.
    assert not (dc.home("dave") / "Maildir").exists()
    assert len(maildir_files(dc.home("dave") / "Other")) == 1
    assert "mail\tmaildir:~/Other" in dc.doveadm("user", "dave").stdout


def test_exact_bytes_over_imap_and_on_disk(dovecot_factory):
    dc = dovecot_factory()
    msg = ("From: Jörg <j@example.com>\nTo: alice@example.org\nSubject: dots\n\n"
           ".leading dot\n..two\nnot last\n.\nUTF-8 body: Grüße\n").encode()
    r = dc.deliver(["alice@example.org"], msg)
    sid = saved_id(r["alice@example.org"], "alice@example.org")
    (uid, flags, raw), = dc.messages("alice")
    assert (uid, flags) == (1, set())
    prefix = re.match(lmtp_prefix(sid, "alice@example.org"), raw)
    assert prefix, raw
    assert raw[prefix.end():] == crlf(msg)
    # Maildir keeps LF line ends.
    f, = maildir_files(dc.maildir("alice"))
    assert f.read_bytes() == raw.replace(b"\r\n", b"\n")
    # Logins by full address map to the same user.
    m = dc.imap("alice@example.org")
    try:
        assert m.select("INBOX", readonly=True) == ("OK", [b"1"])
    finally:
        m.logout()


def test_failed_logins_are_exact_and_not_delayed(dovecot_factory):
    dc = dovecot_factory()
    t0 = time.monotonic()
    for _ in range(3):
        with pytest.raises(imaplib.IMAP4.error) as e:
            dc.imap("alice", password="wrong")
        assert e.value.args == (b"[AUTHENTICATIONFAILED] Authentication failed.",)
    dc.imap("alice").logout()
    # Dovecot's auth penalty would make that 2 + 4 + 8 s; without it each
    # failure takes 0.5 s (with auth_failure_delay = 0).
    assert time.monotonic() - t0 < 3


def test_folder_names_modified_utf7(dovecot_factory):
    assert dvc.imap_utf7_encode("Entwürfe") == "Entw&APw-rfe"
    assert dvc.imap_utf7_encode("a&b ~") == "a&-b ~"
    assert dvc.imap_utf7_encode("日本語") == "&ZeVnLIqe-"
    for name in ("Entwürfe", "a&b", "日本語/Ärger", "📬 post", "&", "x&-y"):
        assert dvc.imap_utf7_decode(dvc.imap_utf7_encode(name)) == name
    dc = dovecot_factory()
    m = dc.imap("alice")
    try:
        assert m.create('"Entw&APw-rfe"')[0] == "OK"
        assert m.create('"&ZeVnLIqe-"')[0] == "OK"
    finally:
        m.logout()
    dc.create_folder("alice", "日本語/Ärger & Co")
    assert sorted(dc.folders("alice")) == sorted(
        ["INBOX", "Entwürfe", "日本語", "日本語/Ärger & Co"])
    # Maildir++ on disk: "." for the separator "/", names in modified UTF-7.
    assert (dc.maildir("alice") / ".Entw&APw-rfe" / "cur").is_dir()
    assert (dc.maildir("alice") / ".&ZeVnLIqe-.&AMQ-rger &- Co" / "cur").is_dir()
    assert dc.messages("alice", "Entwürfe") == []


# ---- Pigeonhole through the harness ------------------------------------------------

FILING = r"""require ["fileinto", "imap4flags", "mailbox"];
if header :contains "subject" "report" {
  addflag "$Reports";
  fileinto :flags ["\\Flagged", "\\Seen"] "Work";
  stop;
}
if header :contains "subject" "draft" {
  addflag "$Draft";
  fileinto :create "Entwürfe";
}
"""


def test_pigeonhole_files_and_flags(dovecot_factory, pigeonhole):
    dc = dovecot_factory(mail_plugins=["sieve"], plugin_settings=SIEVE)
    # sieve is an lda/lmtp-only module: imap could not load it.
    conf = dc.config_path.read_text()
    assert "\nmail_plugins = \n" in conf
    assert "protocol lmtp {\n  mail_plugins = $mail_plugins sieve\n}" in conf
    assert "protocol lda {\n  mail_plugins = $mail_plugins sieve\n}" in conf
    dc.create_folder("alice", "Work")
    dc.pigeonhole_script("alice", FILING)
    report = b"Subject: weekly report\nMessage-ID: <r1@example.com>\n\nnumbers\n"
    r = dc.deliver(["alice@example.org"], report)
    saved_id(r["alice@example.org"], "alice@example.org")
    r = dc.deliver(["alice@example.org"], b"Subject: lunch\n\nnoon?\n")
    saved_id(r["alice@example.org"], "alice@example.org")
    assert dc.deliver_lda("alice", b"Subject: draft one\n\ntext\n") == (0, "")
    assert dc.deliver_lda("alice", b"Subject: second report\n\nmore\n",
                          as_root=False) == (0, "")
    work = dc.messages("alice", "Work")
    assert [(u, f) for u, f, _ in work] == [(1, {"\\Flagged", "\\Seen"}),
                                            (2, {"\\Flagged", "\\Seen"})]
    assert work[0][2].endswith(crlf(report))
    # dovecot-lda adds no trace fields.
    assert work[1][2] == b"Subject: second report\r\n\r\nmore\r\n"
    inbox = dc.messages("alice")
    assert [(u, f) for u, f, _ in inbox] == [(1, set())]
    assert inbox[0][2].endswith(b"Subject: lunch\r\n\r\nnoon?\r\n")
    assert dc.messages("alice", "Entwürfe") == [
        (1, {"$Draft"}, b"Subject: draft one\r\n\r\ntext\r\n")]
    assert sorted(dc.folders("alice")) == ["Entwürfe", "INBOX", "Work"]
    log = dc.log()
    assert ("lmtp(alice)<" in log and "sieve: msgid=<r1@example.com>: fileinto action: "
            "stored mail into mailbox 'Work'" in log)
    assert "sieve: msgid=unspecified: fileinto action: stored mail into mailbox " \
           "'Entwürfe'" in log


def test_lda_users(dovecot_factory):
    dc = dovecot_factory()
    assert dc.deliver_lda("bob", b"Subject: lda\n\nx\n") == (0, "")
    assert dc.deliver_lda("bob", b"Subject: lda 2\n\ny\n", as_root=False) == (0, "")
    # EX_NOUSER
    assert dc.deliver_lda("nobody", b"Subject: lost\n\nz\n")[0] == 67
    assert [raw for _, _, raw in dc.messages("bob")] == [
        b"Subject: lda\r\n\r\nx\r\n", b"Subject: lda 2\r\n\r\ny\r\n"]


def test_redirect_and_reject_reach_submission_host(dovecot_factory, pigeonhole, sink):
    dc = dovecot_factory(mail_plugins=["sieve"], plugin_settings=SIEVE,
                         submission_host="127.0.0.1:%d" % sink.port)
    dc.pigeonhole_script("bob", 'redirect "carol@example.net";\n')
    dc.pigeonhole_script("alice", 'require "reject";\nreject "no thanks";\n')
    msg = b"From: s@example.com\nSubject: hello\nMessage-ID: <m1@example.com>\n\nbody\n"
    r = dc.deliver(["bob@example.org"], msg)
    saved_id(r["bob@example.org"], "bob@example.org")
    (fwd,) = wait_files(sink, 1)
    assert (fwd.sender, fwd.rcpts) == (SENDER, ["carol@example.net"])
    assert ("X-Sieve-Redirected-From", "bob@example.org") in fwd.headers
    assert ("Message-ID", "<m1@example.com>") in fwd.headers
    assert fwd.body == b"body\n"
    assert dc.messages("bob") == []
    sink.clear()
    r = dc.deliver(["alice@example.org"], msg)
    saved_id(r["alice@example.org"], "alice@example.org")
    (rej,) = wait_files(sink, 1)
    assert (rej.sender, rej.rcpts) == ("", [SENDER])
    hdr = dict(rej.headers)
    assert hdr["Subject"] == "Rejected: hello"
    assert hdr["Auto-Submitted"] == "auto-replied (rejected)"
    assert b"no thanks" in rej.body
    assert dc.messages("alice") == []


def test_plugin_dir_mixed_with_dovecots(dovecot_factory, pigeonhole, tmp_path):
    # A stand-in for our build directory: copies of two Dovecot modules.
    build = tmp_path / "build"
    build.mkdir()
    for f in ("lib15_notify_plugin.so", "lib20_mail_log_plugin.so"):
        shutil.copy(Path(dvc.DOVECOT_MODULES) / f, build / f)
    dc = dovecot_factory(mail_plugins=["notify", "mail_log", "sieve"],
                         mail_plugin_dir=build,
                         plugin_settings=dict(SIEVE, mail_log_events="save",
                                              mail_log_fields="uid box msgid"))
    links = {p.name: os.readlink(p) for p in dc.modules_dir.iterdir()}
    assert links == {
        "lib15_notify_plugin.so": str(build / "lib15_notify_plugin.so"),
        "lib20_mail_log_plugin.so": str(build / "lib20_mail_log_plugin.so"),
        "lib90_sieve_plugin.so": dvc.DOVECOT_MODULES + "/lib90_sieve_plugin.so",
    }
    conf = dc.config_path.read_text()
    assert "\nmail_plugin_dir = %s\n" % dc.modules_dir in conf
    assert "\nmail_plugins = notify mail_log\n" in conf
    dc.pigeonhole_script("alice", 'require "fileinto";\nfileinto "Work";\n')
    dc.create_folder("alice", "Work")
    r = dc.deliver(["alice@example.org"], b"Message-ID: <ml@example.com>\n\nx\n")
    saved_id(r["alice@example.org"], "alice@example.org")
    dc.wait_log("save: box=Work, uid=1, msgid=<ml@example.com>")
    assert len(dc.messages("alice", "Work")) == 1


# ---- settings, reload, failures, processes -----------------------------------------

def test_protocol_settings_and_reload(dovecot_factory, pigeonhole):
    dc = dovecot_factory(protocol_settings={"lmtp": {"lmtp_save_to_detail_mailbox": "yes"}},
                         settings={"lda_mailbox_autocreate": "yes"})
    r = dc.deliver(["alice+Lists@example.org"], b"Subject: detail\n\n1\n")
    saved_id(r["alice+Lists@example.org"], "alice+Lists@example.org")
    assert [f for _, f, _ in dc.messages("alice", "Lists")] == [set()]
    # A user added while running: the passwd-file is reread.
    dc.add_user("erin")
    r = dc.deliver(["erin@example.org"], b"Subject: new\n\n2\n")
    saved_id(r["erin@example.org"], "erin@example.org")
    # Sieve switched on by reload.
    dc.pigeonhole_script("bob", 'require "fileinto";\nfileinto "Filtered";\n')
    dc.deliver(["bob@example.org"], b"Subject: before\n\n3\n")
    assert [raw.endswith(b"Subject: before\r\n\r\n3\r\n")
            for _, _, raw in dc.messages("bob")] == [True]
    dc.mail_plugins = ["sieve"]
    dc.plugin_settings.update(SIEVE)
    dc.reload()
    r = dc.deliver(["bob@example.org"], b"Subject: after\n\n4\n")
    saved_id(r["bob@example.org"], "bob@example.org")
    assert [raw.endswith(b"Subject: after\r\n\r\n4\r\n")
            for _, _, raw in dc.messages("bob", "Filtered")] == [True]
    assert len(dc.messages("bob")) == 1


def test_start_failures_say_why(dovecot_factory, tmp_path):
    dc = dovecot_factory("bad-conf", start=False, extra_conf="no_such_setting = 1\n")
    with pytest.raises(dvc.DovecotError) as e:
        dc.start()
    assert "Unknown setting: no_such_setting" in str(e.value)
    assert dc.processes() == {} and dc.base_dir is None

    dc = dovecot_factory("no-plugin", start=False, mail_plugins=["nonexistent"])
    with pytest.raises(dvc.DovecotError) as e:
        dc.start()
    assert str(e.value).startswith("mail plugin(s) nonexistent not found in\n")
    assert dc.proc is None

    build = tmp_path / "broken-build"
    build.mkdir()
    (build / "lib99_broken_plugin.so").write_bytes(b"not an ELF file\n")
    dc = dovecot_factory("broken", start=False, mail_plugins=["broken"],
                         mail_plugin_dir=build)
    with pytest.raises(dvc.DovecotError) as e:
        dc.start()
    text = str(e.value)
    assert text.startswith("IMAP probe (login as alice) failed: ")
    assert ("Error: Couldn't load required plugin %s/lib99_broken_plugin.so: dlopen() failed"
            % dc.modules_dir) in text
    assert dc.processes() == {}

    # Only in LMTP: every other module of our directory is linked too.
    dc = dovecot_factory("broken-lmtp", start=False, mail_plugin_dir=build,
                         protocol_settings={"lmtp": {"mail_plugins": "$mail_plugins broken"}})
    with pytest.raises(dvc.DovecotError) as e:
        dc.start()
    text = str(e.value)
    assert text.startswith("LMTP probe (RCPT alice@example.org) failed: ")
    assert re.search(r"lmtp\(\d+\): Fatal: Couldn't load required plugin %s: dlopen\(\) "
                     r"failed: .*: file too short" % re.escape(
                         str(dc.modules_dir / "lib99_broken_plugin.so")), text)
    assert dc.processes() == {}


def test_loopback_listeners_and_clean_stop(dovecot_factory):
    dc = dovecot_factory()
    assert dc.start_seconds < 2
    assert dc.listeners() == sorted([("127.0.0.1", dc.imap_port), ("127.0.0.1", dc.lmtp_port)])
    base = dc.base_dir
    assert len(base) + len("/login/stats-writer") < 108
    socks = dc.unix_listeners()
    assert base + "/lmtp" in socks and base + "/auth-userdb" in socks
    assert all(p.startswith(base + "/") for p in socks), socks
    other = dovecot_factory("other")      # must outlive dc's stop()
    # Busy processes at stop: an IMAP session and an LMTP session open.
    m = dc.imap("alice")
    m.select("INBOX")
    lm = dc.lmtp()
    try:
        procs = dc.processes()
        master = dc.pid
        assert master in procs and len(procs) >= 6
        with open("/proc/%d/stat" % master) as f:
            assert f.read().split(") ")[1].split()[3] == str(master)   # session leader
        for pid in procs:
            if pid != master:
                with open("/proc/%d/stat" % pid) as f:
                    assert int(f.read().split(") ")[1].split()[1]) == master  # ppid
        assert dc.stop() == []          # nothing needed SIGKILL
    finally:
        lm.close()
        m.shutdown()
    assert dc.processes() == {}
    assert [p for p, s in procs.items() if dvc._start_time(p) == s] == []
    assert not os.path.exists(base)
    for port in (dc.imap_port, dc.lmtp_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    # The other instance did not notice.
    assert other.alive() and os.path.isdir(other.base_dir)
    r = other.deliver(["bob@example.org"], b"Subject: still here\n\n.\n")
    saved_id(r["bob@example.org"], "bob@example.org")
    assert len(other.messages("bob")) == 1


def test_our_plugin_loads(dovecot_factory, plugin_dir):
    """Skips until lib95_mailsift_plugin.so is built: loaded by imap and
    lmtp (start()'s probe), with no script a message is simply kept."""
    dc = dovecot_factory(mail_plugins=["mailsift"], mail_plugin_dir=plugin_dir)
    assert os.readlink(dc.modules_dir / "lib95_mailsift_plugin.so") == str(
        (plugin_dir / "lib95_mailsift_plugin.so").resolve())
    r = dc.deliver(["alice@example.org"], b"Subject: plain\n\nkept\n")
    saved_id(r["alice@example.org"], "alice@example.org")
    assert [raw.endswith(b"Subject: plain\r\n\r\nkept\r\n")
            for _, _, raw in dc.messages("alice")] == [True]
