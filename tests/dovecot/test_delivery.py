# SPDX-License-Identifier: MIT
"""The mailsift Dovecot plugin at delivery, in a real private Dovecot
(dovecot.py): LMTP (with lib96_lmtp_mailsift_plugin.so, and once
without it) and dovecot-lda, checked over IMAP with exact LMTP replies,
folder names, IMAP flags and stored bytes, and at smtp-sink for what the
plugin sends (redirects, rejection messages).

One Dovecot instance serves the module; each test has users of its own
(USERS), whose scripts it writes into their homes (the default
mailsift_user, ~/.dovecot.sieve; before/after scripts as userdb fields).
Covered: fileinto (existing, :create, missing without :create, names
that are no mailbox of the user), :flags and imap4flags on keep and
implicit keep, discard, redirect with Mailsift-Redirected and its loop
protection, reject (also to the null sender), ereject per recipient
(550 5.7.1) and without the LMTP module (a rejection message), tempfail
(451), before/user/after sequences (accumulation, stop, implicit keep),
editheader (stored bytes, seen by the next script), the environment,
runtime errors and broken scripts (nothing done, kept as received), an
unwritable folder, a failed keep (451, never lost), a user without a
script, LDA, recompiling a changed script, several recipients with
different scripts in one transaction."""

import os
import re
import time
from pathlib import Path

import pytest

import dovecot as dvc

SENDER = "sender@example.com"
DATE = r"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}"
MODULES = ("lib95_mailsift_plugin.so", "lib96_lmtp_mailsift_plugin.so")

MSG = (b"From: Jane <jane@example.com>\nTo: list@example.org\nSubject: hello\n"
       b"Message-ID: <m1@example.com>\nX-Spam: yes\n\nbody line\n")

# user -> userdb fields (before/after scripts).
USERS = {
    "fi": {}, "fic": {}, "fim": {}, "fl": {}, "ikf": {}, "disc": {}, "redir": {},
    "loop": {}, "rej": {}, "rejnull": {}, "erej": {}, "ok2": {}, "ok3": {}, "ok4": {},
    "tf": {},
    "seq": {"mailsift_before": "~/before.sieve", "mailsift_after": "~/after.sieve"},
    "stop": {"mailsift_before": "~/before.sieve", "mailsift_after": "~/after.sieve"},
    "cancel": {"mailsift_before": "~/before.sieve"},
    "edit": {}, "edseq": {"mailsift_before": "~/before.sieve"},
    "env": {}, "names": {}, "rterr": {}, "rtseq": {"mailsift_before": "~/before.sieve"},
    "broken": {}, "brseq": {"mailsift_before": "~/before.sieve"}, "locked": {},
    "nokeep": {}, "plain": {}, "lda": {}, "recomp": {}, "m1": {}, "m2": {}, "m3": {},
    "m4": {}, "flseq": {"mailsift_before": "~/before.sieve"},
}


# ---- helpers ----------------------------------------------------------------------------

def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def rcpt(user):
    return user + "@example.org"


def saved_id(reply, address):
    """The session id of a `250 2.0.0 <rcpt> ID Saved` LMTP reply."""
    code, text = reply
    m = re.fullmatch(r"2\.0\.0 <%s> (\S+) Saved" % re.escape(address), text)
    assert code == 250 and m, reply
    return m.group(1)


def lmtp_prefix(session_id, address=None, nl=b"\r\n", return_path=True):
    """The fields Dovecot's LMTP puts before a message (a regex, bytes);
    with one recipient, Delivered-To and `for <rcpt>` too."""
    p = b""
    if return_path:
        p += re.escape(b"Return-Path: <%s>" % SENDER.encode() + nl)
    if address:
        p += re.escape(b"Delivered-To: %s" % address.encode() + nl)
    p += re.escape(nl.join([b"Received: from client.example ([127.0.0.1])",
                            b"\tby mx.example.org with LMTP",
                            b"\tid %s" % session_id.encode(),
                            b"\t(envelope-from <%s>)" % SENDER.encode()]))
    if address:
        p += re.escape(nl + b"\tfor <%s>" % address.encode())
    return p + b"; " + DATE.encode() + re.escape(nl)


def assert_lmtp_copy(raw, session_id, message, address=None, before=b""):
    """raw is `before`, LMTP's fields, then message (CRLF) exactly."""
    m = re.fullmatch(re.escape(before) + lmtp_prefix(session_id, address)
                     + re.escape(crlf(message)), raw, re.S)
    assert m, raw


def plugin_modules(plugin_dir, dest):
    """A directory with only the two modules under test, linked from
    plugin_dir: a build directory may still hold a stale module of the
    same plugin name (lib95_lmtp_mailsift_plugin.so, from before the
    rename to lib96), which the harness would link in its place."""
    missing = [f for f in MODULES if not (Path(plugin_dir) / f).is_file()]
    if missing:
        pytest.skip("%s not built in %s" % (", ".join(missing), plugin_dir))
    dest.mkdir(parents=True, exist_ok=True)
    for f in MODULES:
        (dest / f).symlink_to(Path(plugin_dir) / f)
    return dest


def wait_sink(sink, n, timeout=5):
    """The sink's messages once it holds n dumps (and a moment more, to
    catch an unexpected extra one)."""
    end = time.monotonic() + timeout
    while len(sink.files()) < n and time.monotonic() < end:
        time.sleep(0.02)
    time.sleep(0.2)
    return sink.messages()


class Env:
    def __init__(self, dc, sink):
        self.dc = dc
        self.sink = sink

    def script(self, user, text, name=".dovecot.sieve"):
        return self.dc.write_home_file(user, name, text, mode=0o644)

    def deliver(self, users, message=MSG, **kw):
        rcpts = [rcpt(u) for u in ([users] if isinstance(users, str) else users)]
        return self.dc.deliver(rcpts, message, **kw)

    def one(self, user, message=MSG, **kw):
        """Delivers to one user; the session id of its 250 reply."""
        r = self.deliver(user, message, **kw)
        return saved_id(r[rcpt(user)], rcpt(user))

    def msgs(self, user, folder="INBOX"):
        return self.dc.messages(user, folder)

    def flags(self, user, folder="INBOX"):
        return [f for _, f, _ in self.dc.messages(user, folder)]

    def folders(self, user):
        return sorted(self.dc.folders(user))

    def log_lines(self, user, what=": mailsift: "):
        """The text after `what` of user's LMTP log lines that have it."""
        return [line.split(what, 1)[1] for line in self.dc.log().splitlines()
                if " lmtp(%s)<" % user in line and what in line]


@pytest.fixture(scope="module")
def env(dovecot_ready, plugin_dir, tmp_path_factory):
    if dvc.find_program("smtp-sink") is None:
        pytest.skip("smtp-sink is not installed (Debian package postfix)")
    root = tmp_path_factory.mktemp("delivery")
    mods = plugin_modules(plugin_dir, root / "plugins")
    sink = dvc.SmtpSink(dvc.free_port(), root / "sink")
    dc = dvc.PrivateDovecot(
        root / "dc", mail_plugins=["mailsift"], mail_plugin_dir=mods,
        protocol_settings={"lmtp": {"mail_plugins": "$mail_plugins lmtp_mailsift"}},
        submission_host="127.0.0.1:%d" % sink.port)
    for u, fields in USERS.items():
        dc.add_user(u, extra_userdb_fields=fields)
    try:
        sink.start()
        dc.start()
        yield Env(dc, sink)
    finally:
        dc.stop()
        sink.stop()


@pytest.fixture
def sink(env):
    env.sink.clear()
    return env.sink


# ---- fileinto, flags -------------------------------------------------------------------

def test_fileinto_existing_folder(env):
    env.dc.create_folder("fi", "Work")
    env.script("fi", 'require "fileinto";\nfileinto "Work";\n')
    sid = env.one("fi")
    (uid, flags, raw), = env.msgs("fi", "Work")
    assert (uid, flags) == (1, set())
    assert_lmtp_copy(raw, sid, MSG, rcpt("fi"))
    assert env.msgs("fi") == []
    assert env.folders("fi") == ["INBOX", "Work"]
    assert env.log_lines("fi", ": msgid=") == ["<m1@example.com>: saved mail to Work"]


def test_fileinto_create(env):
    env.script("fic", 'require ["fileinto", "mailbox"];\n'
                      'fileinto :create "Projects/2026";\nfileinto :create "Entwürfe";\n')
    sid = env.one("fic")
    assert env.folders("fic") == ["Entwürfe", "INBOX", "Projects", "Projects/2026"]
    for folder in ("Projects/2026", "Entwürfe"):
        (uid, flags, raw), = env.msgs("fic", folder)
        assert (uid, flags) == (1, set())
        assert_lmtp_copy(raw, sid, MSG, rcpt("fic"))
    assert env.msgs("fic") == []
    # On disk: Maildir++ with modified UTF-7 names.
    assert len(os.listdir(env.dc.maildir("fic") / ".Entw&APw-rfe" / "new")) == 1


def test_fileinto_missing_folder_without_create_is_kept(env):
    env.script("fim", 'require "fileinto";\nfileinto "Nope";\n')
    sid = env.one("fim")
    assert env.folders("fim") == ["INBOX"]
    (uid, flags, raw), = env.msgs("fim")
    assert (uid, flags) == (1, set())
    assert_lmtp_copy(raw, sid, MSG, rcpt("fim"))


def test_flags_on_fileinto_keep_and_implicit_keep(env):
    env.dc.create_folder("fl", "Work")
    env.script("fl", r'''require ["fileinto", "imap4flags"];
if header :is "subject" "one" {
  fileinto :flags ["\\Seen", "$Label1"] "Work";
  addflag "\\Flagged";
  addflag ["$Label2", "\\Answered"];
  keep;
} elsif header :is "subject" "two" {
  setflag ["\\Draft", "$Label3", "\\Recent"];
  removeflag "\\Draft";
}
''')
    env.one("fl", b"Subject: one\n\n1\n")
    env.one("fl", b"Subject: two\n\n2\n")
    assert env.flags("fl", "Work") == [{"\\Seen", "$Label1"}]
    # keep with the variable's flags; then the implicit keep with them
    # (\Recent cannot be set, \Draft was removed again).
    assert env.flags("fl") == [{"\\Flagged", "\\Answered", "$Label2"}, {"$Label3"}]


def test_flags_set_without_keep_go_to_implicit_keep(env):
    env.script("ikf", 'require "imap4flags";\naddflag ["\\\\Seen", "$Label1"];\n')
    sid = env.one("ikf")
    (uid, flags, raw), = env.msgs("ikf")
    assert flags == {"\\Seen", "$Label1"}
    assert_lmtp_copy(raw, sid, MSG, rcpt("ikf"))


def test_discard_stores_nothing(env):
    env.script("disc", 'discard;\n')
    r = env.deliver("disc")
    saved_id(r[rcpt("disc")], rcpt("disc"))
    assert env.folders("disc") == ["INBOX"]
    assert env.msgs("disc") == []
    assert env.log_lines("disc") == ["discarded"]


# ---- redirect, reject, ereject, tempfail ---------------------------------------------------

def test_redirect_reaches_submission_host(env, sink):
    env.script("redir", 'redirect "carol@example.net";\n')
    sid = env.one("redir")
    fwd, = wait_sink(sink, 1)
    assert (fwd.sender, fwd.rcpts) == (SENDER, ["carol@example.net"])
    names = [n for n, _ in fwd.headers]
    assert names[0] == "Mailsift-Redirected"
    assert fwd.headers[0] == ("Mailsift-Redirected", "<carol@example.net>")
    assert "Return-Path" not in names
    assert ("Message-ID", "<m1@example.com>") in fwd.headers
    assert fwd.body == b"body line\n"
    # Then the message as delivered, Return-Path left out.
    m = re.fullmatch(re.escape(b"Mailsift-Redirected: <carol@example.net>\n")
                     + lmtp_prefix(sid, rcpt("redir"), b"\n", return_path=False)
                     + re.escape(MSG), fwd.raw)
    assert m, fwd.raw
    assert env.msgs("redir") == []
    assert env.log_lines("redir") == ["redirected to <carol@example.net>"]


def test_redirect_loop_protection_keeps(env, sink):
    env.script("loop", 'redirect "Carol@Example.NET";\n')
    looped = b"Mailsift-Redirected: <carol@example.net>\n" + MSG
    sid = env.one("loop", looped)
    (uid, flags, raw), = env.msgs("loop")
    assert flags == set()
    assert_lmtp_copy(raw, sid, looped, rcpt("loop"))
    assert wait_sink(sink, 0) == []
    assert env.log_lines("loop") == ["not redirected to <Carol@example.net>: it came through "
                                     "a redirect to that address (kept)"]
    # Another address is still redirected (and the old field stays).
    env.script("loop", 'redirect "dave@example.net";\n')
    env.one("loop", looped)
    fwd, = wait_sink(sink, 1)
    assert fwd.rcpts == ["dave@example.net"]
    assert [v for n, v in fwd.headers if n == "Mailsift-Redirected"] == [
        "<dave@example.net>", "<carol@example.net>"]
    assert len(env.msgs("loop")) == 1


def test_reject_sends_rejection_to_sender(env, sink):
    env.script("rej", 'require "reject";\nreject "no thanks";\n')
    r = env.deliver("rej")
    saved_id(r[rcpt("rej")], rcpt("rej"))
    rej, = wait_sink(sink, 1)
    assert (rej.sender, rej.rcpts) == ("", [SENDER])
    hdr = dict(rej.headers)
    assert hdr["Subject"] == "Rejected: hello"
    assert hdr["To"] == "<%s>" % SENDER
    assert hdr["From"] == "Postmaster <postmaster@example.org>"
    assert hdr["Auto-Submitted"] == "auto-replied (rejected)"
    assert b"\nYour message to <%s> was automatically rejected:\nno thanks\n" \
        % SENDER.encode() in rej.body
    assert b"\nOriginal-Message-ID: <m1@example.com>\n" in rej.body
    assert env.msgs("rej") == []
    assert env.folders("rej") == ["INBOX"]
    assert env.log_lines("rej") == ["rejected: no thanks"]


def test_reject_to_null_sender_sends_nothing(env, sink):
    env.script("rejnull", 'require "reject";\nreject "no thanks";\n')
    r = env.deliver("rejnull", mail_from="")
    saved_id(r[rcpt("rejnull")], rcpt("rejnull"))
    assert wait_sink(sink, 0) == []
    assert env.msgs("rejnull") == []
    assert env.log_lines("rejnull") == [
        "rejected (no rejection message to the null sender): no thanks"]


def test_ereject_refuses_one_recipient_only(env, sink):
    env.script("erej", 'require "ereject";\nereject "Mailbox closed: write to x@example.org";\n')
    r = env.deliver(["erej", "ok2"])
    assert r[rcpt("erej")] == (550, "5.7.1 <erej@example.org> Mailbox closed: write to "
                                    "x@example.org")
    sid = saved_id(r[rcpt("ok2")], rcpt("ok2"))
    (uid, flags, raw), = env.msgs("ok2")
    assert_lmtp_copy(raw, sid.split(":")[0], MSG)
    assert env.msgs("erej") == []
    assert wait_sink(sink, 0) == []
    assert env.log_lines("erej") == ["ereject: Mailbox closed: write to x@example.org"]


def test_ereject_without_lmtp_module_sends_rejection(env, dovecot_ready, plugin_dir,
                                                     tmp_path, sink):
    mods = plugin_modules(plugin_dir, tmp_path / "plugins")
    dc = dvc.PrivateDovecot(tmp_path / "dc", mail_plugins=["mailsift"], mail_plugin_dir=mods,
                            submission_host="127.0.0.1:%d" % sink.port)
    dc.add_user("erin")
    try:
        dc.start()
        assert "lmtp_mailsift" not in dc.config_path.read_text()
        dc.write_home_file("erin", ".dovecot.sieve",
                           'require "ereject";\nereject "not here";\n')
        r = dc.deliver(["erin@example.org"], MSG)
        saved_id(r["erin@example.org"], "erin@example.org")
        rej, = wait_sink(sink, 1)
        assert (rej.sender, rej.rcpts) == ("", [SENDER])
        assert dict(rej.headers)["Subject"] == "Rejected: hello"
        assert b"was automatically rejected:\nnot here\n" in rej.body
        assert dc.messages("erin") == []
        # dovecot-lda: the same.
        sink.clear()
        assert dc.deliver_lda("erin", MSG) == (0, "")
        rej, = wait_sink(sink, 1)
        assert (rej.sender, rej.rcpts) == ("", [SENDER])
        assert dc.messages("erin") == []
    finally:
        dc.stop()


def test_tempfail_is_451(env):
    env.script("tf", 'require "vnd.mailsift.tempfail";\ntempfail "Try again later";\n')
    r = env.deliver(["tf", "ok3"])
    assert r[rcpt("tf")] == (451, "4.2.0 <tf@example.org> Try again later")
    assert r[rcpt("ok3")][0] == 250
    assert len(env.msgs("ok3")) == 1
    assert env.msgs("tf") == []


# ---- sequences ---------------------------------------------------------------------------

def test_before_user_after_accumulate(env):
    env.script("seq", 'require ["fileinto", "mailbox"];\nfileinto :create "B";\n',
               "before.sieve")
    env.script("seq", 'require ["fileinto", "mailbox", "imap4flags"];\n'
                      'fileinto :create :flags "$U" "U";\n')
    env.script("seq", 'require ["fileinto", "mailbox"];\nfileinto :create "A";\n'
                      'fileinto :create "B";\n', "after.sieve")
    sid = env.one("seq")
    assert env.folders("seq") == ["A", "B", "INBOX", "U"]
    # B once: the after script's second fileinto into B is the same store.
    assert [(u, f) for u, f, _ in env.msgs("seq", "B")] == [(1, set())]
    assert env.flags("seq", "U") == [{"$U"}]
    assert env.flags("seq", "A") == [set()]
    assert_lmtp_copy(env.msgs("seq", "A")[0][2], sid, MSG, rcpt("seq"))
    assert env.msgs("seq") == []


def test_flags_carry_from_script_to_script(env):
    # The user's script starts with the flags the before script left.
    env.script("flseq", 'require "imap4flags";\naddflag "$before";\n', "before.sieve")
    env.script("flseq", 'require "imap4flags";\n'
                        'if hasflag "$before" { addflag "$seen-before"; }\naddflag "$user";\n')
    env.one("flseq")
    assert env.flags("flseq") == [{"$before", "$seen-before", "$user"}]


def test_stop_in_before_skips_the_rest(env):
    env.script("stop", 'require ["fileinto", "mailbox"];\nfileinto :create "B";\nstop;\n',
               "before.sieve")
    env.script("stop", 'require ["fileinto", "mailbox"];\nfileinto :create "U";\n')
    env.script("stop", 'require ["fileinto", "mailbox"];\nfileinto :create "A";\n',
               "after.sieve")
    env.one("stop")
    assert env.folders("stop") == ["B", "INBOX"]
    assert len(env.msgs("stop", "B")) == 1


def test_implicit_keep_cancelled_by_before_script(env):
    env.script("cancel", 'require ["fileinto", "mailbox"];\nfileinto :create "B";\n',
               "before.sieve")
    # The user's script decides nothing: its implicit keep does not bring
    # the message back into INBOX.
    env.script("cancel", 'if false { discard; }\n')
    env.one("cancel")
    assert env.folders("cancel") == ["B", "INBOX"]
    assert env.msgs("cancel") == []
    assert len(env.msgs("cancel", "B")) == 1


# ---- editheader, environment ------------------------------------------------------------

EDIT_MSG = (b"From: Jane <jane@example.com>\nSubject: edit me\nX-Spam: yes\n"
            b"X-Folded: one\n two\nX-Spam: again\n\nbody\n")


def test_editheader_on_stored_copy(env):
    env.script("edit", 'require "editheader";\naddheader "X-Sift" "checked";\n'
                       'deleteheader "x-spam";\naddheader :last "X-End" "last";\n')
    sid = env.one("edit", EDIT_MSG)
    (uid, flags, raw), = env.msgs("edit")
    edited = (b"From: Jane <jane@example.com>\nSubject: edit me\nX-Folded: one\n two\n"
              b"X-End: last\n\nbody\n")
    assert_lmtp_copy(raw, sid, edited, rcpt("edit"), before=b"X-Sift: checked\r\n")


def test_next_script_sees_the_edit(env):
    env.script("edseq", 'require "editheader";\naddheader "X-Seq" "from-before";\n'
                        'deleteheader "Subject";\n', "before.sieve")
    env.script("edseq", r'''require ["fileinto", "mailbox", "variables", "editheader"];
if header :matches "X-Seq" "*" { set "seq" "${1}"; }
if not exists "subject" { fileinto :create "Saw/${seq}"; }
addheader "X-User" "user";
''')
    sid = env.one("edseq")
    assert env.folders("edseq") == ["INBOX", "Saw", "Saw/from-before"]
    (uid, flags, raw), = env.msgs("edseq", "Saw/from-before")
    assert_lmtp_copy(raw, sid, MSG.replace(b"Subject: hello\n", b""), rcpt("edseq"),
                     before=b"X-User: user\r\nX-Seq: from-before\r\n")
    assert env.msgs("edseq") == []


def test_environment_location_phase_host(env):
    env.script("env", r'''require ["fileinto", "mailbox", "variables", "environment",
  "editheader"];
if environment :matches "location" "*" { set "loc" "${1}"; }
if environment :matches "phase" "*" { set "phase" "${1}"; }
if environment :matches "host" "*" { set "host" "${1}"; }
if environment :is "name" "" { set "name" "none"; }
addheader "X-Env" "${loc} ${phase} ${host}";
fileinto :create "Env/${loc}-${phase}";
''')
    sid = env.one("env")
    assert env.folders("env") == ["Env", "Env/MDA-during", "INBOX"]
    (uid, flags, raw), = env.msgs("env", "Env/MDA-during")
    host = os.uname().nodename
    assert_lmtp_copy(raw, sid, MSG, rcpt("env"),
                     before=b"X-Env: MDA during %s\r\n" % host.encode())


NAME_CASES = [
    # (subject, X-Folder, the log's reason)
    ("dotdot", b"../escape", "cannot store into ../escape: Character not allowed in "
                             "mailbox name: '.'"),
    ("inner", b"a/../../escape", "cannot store into a/../../escape: Character not allowed "
                                 "in mailbox name: '.'"),
    ("dot", b"./x", "cannot store into ./x: Character not allowed in mailbox name: '.'"),
    ("ctrl", None, "cannot store into bad?name: mailbox name has a control character"),
    ("tab", None, "cannot store into bad?tab: mailbox name has a control character"),
    # The engine refuses these itself: a runtime error.
    ("latin1", None, "line 7: invalid mailbox name: it is not valid UTF-8 (message kept)"),
    ("raw8bit", b"caf\xe9", "line 7: invalid mailbox name: it is not valid UTF-8 "
                            "(message kept)"),
    ("empty", None, "cannot store into : empty mailbox name"),
]


def test_names_that_are_no_mailbox_are_kept_in_inbox(env):
    # The names are made at run time (a constant one is checked when the
    # script compiles).
    env.script("names", r"""require ["fileinto", "mailbox", "variables", "encoded-character"];
if header :matches "X-Folder" "*" { set "name" "${1}"; }
if header :is "subject" "ctrl" { set "name" "bad${hex:01}name"; }
elsif header :is "subject" "tab" { set "name" "bad${hex:09}tab"; }
elsif header :is "subject" "latin1" { set "name" "caf${hex:e9}"; }
elsif header :is "subject" "empty" { set "name" ""; }
fileinto :create "${name}";
""")
    sent = []
    for subject, folder, _ in NAME_CASES:
        msg = b"Subject: %s\n" % subject.encode()
        if folder is not None:
            msg += b"X-Folder: %s\n" % folder
        msg += b"\nx\n"
        sent.append(msg)
        env.one("names", msg)
    inbox = env.msgs("names")
    assert [(u, f) for u, f, _ in inbox] == [(i + 1, set()) for i in range(len(sent))]
    for (_, _, raw), msg in zip(inbox, sent):
        assert raw.endswith(b"\r\n" + crlf(msg)), raw
    assert env.folders("names") == ["INBOX"]
    home = env.dc.home("names")
    assert sorted(os.listdir(home)) == [".dovecot.sieve", "Maildir"]
    assert not (home.parent / "escape").exists()
    # No folder made anywhere.
    assert [p for p in env.dc.maildir("names").iterdir() if p.name.startswith(".")] == []
    assert [d for d, _, _ in os.walk(env.dc.root) if "escape" in d] == []
    log = env.dc.log()
    assert "this and later scripts not run" not in "\n".join(
        line for line in log.splitlines() if "lmtp(names)" in line)
    lines = [line.split(": mailsift: ", 1)[1] for line in log.splitlines()
             if "lmtp(names)" in line and ": mailsift: " in line]
    script = str(env.dc.home("names") / ".dovecot.sieve")
    assert [line.replace(script + ": ", "") for line in lines] == [r for _, _, r in NAME_CASES]


# ---- failures ----------------------------------------------------------------------------

def test_runtime_error_does_nothing_and_keeps(env):
    env.script("rterr", r'''require ["fileinto", "mailbox", "regex", "variables",
  "imap4flags", "editheader"];
fileinto :create "Before";
addflag "\\Seen";
addheader "X-Before" "1";
set "re" "(unclosed";
if header :regex "subject" "${re}" { fileinto :create "Never"; }
''')
    sid = env.one("rterr")
    assert env.folders("rterr") == ["INBOX"]
    (uid, flags, raw), = env.msgs("rterr")
    assert flags == set()
    assert_lmtp_copy(raw, sid, MSG, rcpt("rterr"))
    lines = env.log_lines("rterr")
    assert len(lines) == 1 and re.fullmatch(
        r"%s: line 7: invalid regular expression: .* \(message kept\)"
        % re.escape(str(env.dc.home("rterr") / ".dovecot.sieve")), lines[0]), lines


def test_runtime_error_after_earlier_edit_keeps_message_as_received(env):
    env.script("rtseq", 'require ["editheader", "fileinto", "mailbox"];\n'
                        'addheader "X-Before" "1";\nfileinto :create "B";\n', "before.sieve")
    env.script("rtseq", 'require ["regex", "variables"];\nset "re" "(";\n'
                        'if header :regex "subject" "${re}" { discard; }\n')
    sid = env.one("rtseq")
    assert env.folders("rtseq") == ["INBOX"]
    (uid, flags, raw), = env.msgs("rtseq")
    assert_lmtp_copy(raw, sid, MSG, rcpt("rtseq"))


def test_broken_script_keeps_exact_message(env):
    path = env.script("broken", 'require "fileinto";\nfileinto "Work"\nkeep;\n')
    sid = env.one("broken")
    assert env.folders("broken") == ["INBOX"]
    (uid, flags, raw), = env.msgs("broken")
    assert flags == set()
    assert_lmtp_copy(raw, sid, MSG, rcpt("broken"))
    log = env.dc.log()
    assert re.search(r"mailsift: %s:3:\d+: .*\(this and later scripts not run; message kept\)"
                     % re.escape(str(path)), log), log


def test_broken_user_script_undoes_before_script(env):
    env.script("brseq", 'require ["fileinto", "mailbox"];\nfileinto :create "B";\n',
               "before.sieve")
    env.script("brseq", 'if header :is "subject" {\n')
    sid = env.one("brseq")
    assert env.folders("brseq") == ["INBOX"]
    (uid, flags, raw), = env.msgs("brseq")
    assert_lmtp_copy(raw, sid, MSG, rcpt("brseq"))


def _chmod_folder(maildir, mode):
    for d in ("", "tmp", "new", "cur"):
        os.chmod(maildir / d, mode)


def test_unwritable_folder_is_kept_in_inbox(env):
    env.dc.create_folder("locked", "Locked")
    env.script("locked", 'require ["fileinto", "imap4flags"];\n'
                         'fileinto :flags "\\\\Seen" "Locked";\n')
    box = env.dc.maildir("locked") / ".Locked"
    _chmod_folder(box, 0o500)
    try:
        sid = env.one("locked")
    finally:
        _chmod_folder(box, 0o700)
    assert env.msgs("locked", "Locked") == []
    (uid, flags, raw), = env.msgs("locked")
    assert flags == set()
    assert_lmtp_copy(raw, sid, MSG, rcpt("locked"))
    saves = env.log_lines("locked", ": msgid=<m1@example.com>: ")
    assert len(saves) == 2, saves
    assert re.fullmatch(r"save failed to Locked: Mailbox Locked: open\(%s/tmp/\S+\) failed: "
                        r"Permission denied" % re.escape(str(box)), saves[0]), saves
    assert saves[1] == "saved mail to INBOX"


def test_failed_keep_is_451_not_lost(env):
    env.script("nokeep", 'require "imap4flags";\naddflag "$X";\nkeep;\n')
    env.one("nokeep", b"Subject: first\n\n1\n")
    inbox = env.dc.maildir("nokeep")
    _chmod_folder(inbox, 0o500)
    try:
        r = env.deliver(["nokeep", "ok4"])
    finally:
        _chmod_folder(inbox, 0o700)
    code, text = r[rcpt("nokeep")]
    assert code == 451 and re.fullmatch(
        r"4\.2\.0 <nokeep@example\.org> Internal error occurred\. Refer to server log for "
        r"more information\. \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]", text), r
    assert r[rcpt("ok4")][0] == 250
    assert len(env.msgs("ok4")) == 1
    assert len(env.msgs("nokeep")) == 1


# ---- plain delivery, LDA, recompiling, several recipients -----------------------------------

def test_user_without_script_plain_delivery(env):
    assert not (env.dc.home("plain") / ".dovecot.sieve").exists()
    sid = env.one("plain", b"Mailsift-Redirected: <x@example.net>\n" + MSG)
    (uid, flags, raw), = env.msgs("plain")
    assert flags == set()
    assert_lmtp_copy(raw, sid, b"Mailsift-Redirected: <x@example.net>\n" + MSG,
                     rcpt("plain"))
    assert env.folders("plain") == ["INBOX"]


def test_lda_fileinto(env):
    env.script("lda", 'require ["fileinto", "mailbox", "imap4flags"];\n'
                      'if header :is "subject" "hello" '
                      '{ fileinto :create :flags "$Lda" "Lda"; }\n')
    assert env.dc.deliver_lda("lda", MSG) == (0, "")
    assert env.dc.deliver_lda("lda", b"Subject: other\n\nx\n", as_root=False) == (0, "")
    assert env.msgs("lda", "Lda") == [(1, {"$Lda"}, crlf(MSG))]
    assert env.msgs("lda") == [(1, set(), b"Subject: other\r\n\r\nx\r\n")]


def test_changed_script_is_recompiled(env):
    env.script("recomp", 'require ["fileinto", "mailbox"];\nfileinto :create "One";\n')
    env.one("recomp")
    # Same size, same second: only the content (and ctime/mtime) differ.
    env.script("recomp", 'require ["fileinto", "mailbox"];\nfileinto :create "Two";\n')
    env.one("recomp")
    env.script("recomp", 'require ["fileinto", "mailbox"];\nfileinto :create "Three";\n')
    env.one("recomp")
    assert env.folders("recomp") == ["INBOX", "One", "Three", "Two"]
    for f in ("One", "Two", "Three"):
        assert len(env.msgs("recomp", f)) == 1, f


def test_several_recipients_different_scripts(env):
    env.script("m1", 'require ["editheader", "fileinto", "mailbox"];\n'
                     'addheader "X-M1" "yes";\nfileinto :create "M1";\n')
    env.script("m2", 'require "imap4flags";\naddflag "$M2";\n')
    # m3: no script.
    env.script("m4", 'require "editheader";\ndeleteheader "X-Spam";\n')
    r = env.deliver(["m1", "m2", "m3", "m4"])
    sid = saved_id(r[rcpt("m1")], rcpt("m1"))
    for i, u in enumerate(["m2", "m3", "m4"]):
        assert saved_id(r[rcpt(u)], rcpt(u)) == "%s:R%d" % (sid, i + 2)
    (_, flags, raw), = env.msgs("m1", "M1")
    assert flags == set()
    assert_lmtp_copy(raw, sid, MSG, before=b"X-M1: yes\r\n")
    assert env.msgs("m1") == []
    (_, flags, raw), = env.msgs("m2")
    assert flags == {"$M2"}
    assert_lmtp_copy(raw, sid, MSG)
    (_, flags, raw), = env.msgs("m3")
    assert flags == set()
    assert_lmtp_copy(raw, sid, MSG)
    (_, flags, raw), = env.msgs("m4")
    assert_lmtp_copy(raw, sid, MSG.replace(b"X-Spam: yes\n", b""))
    # The other order: the edited copy is never the source of the next.
    r = env.deliver(["m4", "m3", "m1"], b"Subject: second\nX-Spam: 1\n\n2\n")
    assert [c for c, _ in r.values()] == [250, 250, 250]
    assert env.msgs("m4")[1][2].endswith(b"Subject: second\r\n\r\n2\r\n")
    assert env.msgs("m3")[1][2].endswith(b"Subject: second\r\nX-Spam: 1\r\n\r\n2\r\n")
    assert env.msgs("m1", "M1")[1][2].startswith(b"X-M1: yes\r\nReturn-Path: ")
    assert env.msgs("m1", "M1")[1][2].endswith(b"Subject: second\r\nX-Spam: 1\r\n\r\n2\r\n")
