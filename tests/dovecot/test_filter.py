# SPDX-License-Identifier: MIT
"""FILTER and UID FILTER (FILTER=SIEVE, draft-bosch-imap-filter-sieve)
of lib95_imap_mailsift_plugin.so in a real private Dovecot (dovecot.py)
with both mailsift plugins loaded (mailsift for IMAP events, imap_mailsift),
spoken to over raw IMAP with exact responses, and checked on the stored
messages (folders, flags, bytes), at smtp-sink (redirect) and by counting
messages after every FILTER (nothing is lost).

Covered: DELIVERY (before, user, after scripts; stop; broken and missing
scripts), PERSONAL (names, missing, invalid, broken, turned off), GLOBAL
(set per user, unset), SCRIPT (compile errors and warnings); the
actions on a stored message: imap4flags starting from the message's
flags, fileinto (copies, :create, :copy, the selected mailbox itself, a
missing mailbox), discard (\\Deleted, not expunged), redirect (the user's
address as sender, Mailsift-Redirected, loop protection, the null sender
for a user name that is no address), reject/ereject/tempfail/quarantine
(warnings), editheader (copies only), envelope from Return-Path, the
environment, runtime errors; search criteria (SUBJECT, sequence sets,
UID FILTER, $, CHARSET, X-SIEVE); an X-SIEVE failure in the middle of a
FILTER; an IMAP COPY rule of the mailsift plugin on FILTER's copies; 500
messages (steps of 50), a slow reader, a client that leaves mid-FILTER,
a message expunged behind Dovecot's back; Pigeonhole's imap_filter_sieve
loaded first.

One Dovecot instance serves the module, each test with users of its own
(userdb fields for their settings; red@ and env@ log in as addresses).

Run (as root, the plugins built; MAILSIFT_DOVECOT_PLUGIN_DIR may name the
directory of lib95_mailsift_plugin.so and lib95_imap_mailsift_plugin.so):
    make -j2 -C _build/lead imap-plugin/lib95_imap_mailsift_plugin.la \\
        imap-plugin/lib95_mailsift_plugin.la
    python3 -m pytest -q tests/dovecot/test_filter.py"""

import os
import re
import time
from pathlib import Path

import pytest

import dovecot as dvc
from test_xsieve import (RawImap, find_plugin_dir, lit, log_problems, plugin_modules,
                         prepare, quote, xs)

MODULES = ["lib95_mailsift_plugin.so", "lib95_imap_mailsift_plugin.so"]


def istring(text):
    """text as imap_append_string() sends it: quoted, or a literal when it
    holds CR, LF or other bytes a quoted string cannot."""
    data = text.encode()
    if re.search(rb'[\r\n"\\\x00\x80-\xff]', data):
        return "{%d}\r\n%s" % (len(data), text)
    return quote(text)


def msg(subject, extra=b"", body=b"body\r\n", sender=b"Jane <jane@example.com>"):
    if isinstance(subject, str):
        subject = subject.encode()
    return (extra + b"From: " + sender + b"\r\nTo: user@example.org\r\nSubject: " + subject
            + b"\r\nMessage-ID: <" + re.sub(rb"\W", b"", subject) + b"@example.com>\r\n\r\n"
            + body)


USERS = {
    "cap": {}, "cerr": {}, "warn": {}, "flags": {}, "fi": {}, "self": {}, "fierr": {},
    "fierr2": {}, "disc": {}, "red": {"user": "red@example.org"}, "plain": {}, "mta1": {},
    "mta2": {}, "mta3": {}, "mta4": {}, "edit": {},
    "env": {"user": "env@example.org"}, "rt": {},
    "dl": {"mailsift_before": "~/before.sieve", "mailsift_after": "~/after.sieve"},
    "dlbad": {"mailsift_before": "~/before.sieve"},
    "dlnone": {"mailsift_user": "none"},
    "pers": {}, "perswarn": {}, "nopers": {"mailsift_user_dir": "none"}, "glob": {},
    "syn": {}, "crit": {}, "limf": {"mailsift_limit_regex_match": "1000"}, "rule": {},
    "big": {}, "slow": {}, "gone": {}, "race": {},
}


class Env:
    def __init__(self, dc, sink, global_dir):
        self.dc = dc
        self.sink = sink
        self.global_dir = global_dir

    def session(self, user, folder="INBOX", **kw):
        login = USERS[user].get("user", user)
        c = RawImap.login(self.dc, login, **kw)
        if folder:
            c.ok("SELECT " + quote(folder))
        return c

    def prepare(self, user, folders):
        login = USERS[user].get("user", user)
        prepare(self.dc, login, folders)

    def script(self, user, name, text):
        return self.dc.write_home_file(user, name, text, mode=0o644)

    def stored(self, user, folder="INBOX"):
        """[(uid, flags, bytes)] of a folder."""
        return self.dc.messages(USERS[user].get("user", user), folder)

    def counts(self, user):
        """{folder: messages} of every folder of the user."""
        c = RawImap.login(self.dc, USERS[user].get("user", user))
        try:
            out = {}
            for line in c.ok('LIST "" "*"'):
                attrs, name = re.match(r'\* LIST \(([^)]*)\) "/" (.*)$', line).groups()
                if "\\Noselect" in attrs or "\\NonExistent" in attrs:
                    continue
                name = name.strip('"')
                status = c.ok("STATUS %s (MESSAGES)" % quote(name))
                out[name] = int(re.search(r"MESSAGES (\d+)", status[0]).group(1))
            return out
        finally:
            c.close()


def filtered(seq, tag, uid, result="OK"):
    return '* %d FILTERED (TAG "%s") UID %d %s' % (seq, tag, uid, result)


def no_flag_lists(untagged):
    """untagged without the FLAGS / PERMANENTFLAGS lines a new keyword
    brings."""
    return [x for x in untagged
            if not x.startswith("* FLAGS (") and not x.startswith("* OK [PERMANENTFLAGS")]


def script_cmd(script, criteria="ALL", uid=False):
    return ((b"UID " if uid else b"") + b"FILTER SIEVE SCRIPT " + lit(script) + b" "
            + (criteria.encode() if isinstance(criteria, str) else criteria))


def wait_sink(sink, n, timeout=5):
    end = time.monotonic() + timeout
    while len(sink.files()) < n and time.monotonic() < end:
        time.sleep(0.02)
    time.sleep(0.2)
    return sink.messages()


@pytest.fixture(scope="module")
def env(dovecot_ready, tmp_path_factory):
    if dvc.find_program("smtp-sink") is None:
        pytest.skip("smtp-sink is not installed (Debian package postfix)")
    src = find_plugin_dir(MODULES)
    root = tmp_path_factory.mktemp("filter")
    global_dir = root / "global"
    global_dir.mkdir()
    os.chmod(global_dir, 0o755)
    USERS["glob"]["mailsift_global_dir"] = str(global_dir)
    sink = dvc.SmtpSink(dvc.free_port(), root / "sink")
    dc = dvc.PrivateDovecot(
        root / "dc", mail_plugins=["mailsift", "imap_mailsift"],
        mail_plugin_dir=plugin_modules(src, root / "plugins", MODULES),
        plugin_settings={"mailsift_imap_rule": "Copied COPY ~/copy.sieve"},
        submission_host="127.0.0.1:%d" % sink.port,
        # Users whose name is an address (userdb field user=NAME@DOMAIN):
        # Dovecot looks the new name up again, without its domain.
        extra_conf="userdb {\n  driver = passwd-file\n  args = username_format=%%n %s\n}\n"
                   % (root / "dc" / "passwd"))
    for u, fields in USERS.items():
        dc.add_user(u, extra_userdb_fields=fields)
    try:
        sink.start()
        dc.start()
        yield Env(dc, sink, global_dir)
    finally:
        dc.stop()
        sink.stop()


@pytest.fixture
def sink(env):
    env.sink.clear()
    return env.sink


# ---- capabilities ------------------------------------------------------------------------------

def test_capabilities_with_both_plugins(env):
    c = RawImap(env.dc.imap_port)
    try:
        assert "FILTER" not in c.greeting and "X-SIEVE" not in c.greeting
        _, tagged = c.cmd("LOGIN cap pw")
        caps = re.match(r"OK \[CAPABILITY ([^\]]*)\] Logged in$", tagged).group(1).split()
        assert caps.count("FILTER=SIEVE") == 1 and caps.count("SEARCH=X-SIEVE") == 1
        (line,), tagged = c.cmd("CAPABILITY")
        assert line.split().count("FILTER=SIEVE") == 1
        assert line.split().count("SEARCH=X-SIEVE") == 1
        # X-SIEVE works with both loaded.
        c.ok("SELECT INBOX")
        assert c.search("SEARCH X-SIEVE true") == (["* SEARCH"], "OK Search completed.")
    finally:
        c.close()


# ---- compiling ---------------------------------------------------------------------------------

def test_compile_errors_touch_nothing(env):
    env.prepare("cerr", {"INBOX": [msg("one"), ("\\Seen", msg("two"))]})
    before = env.stored("cerr")
    c = env.session("cerr")
    try:
        text = "script:1:11: error: unknown command 'frob'\r\n"
        assert c.cmd(script_cmd("if true { frob; }")) == (
            ['* FILTER (TAG "%s") ERRORS %s' % (c.tag, istring(text))],
            "NO Sieve filter failed to compile.")
        untagged, tagged = c.cmd(script_cmd('require "fileinto";\nfileinto "x"\nkeep;\n'))
        assert tagged == "NO Sieve filter failed to compile."
        assert untagged == ['* FILTER (TAG "%s") ERRORS %s' % (c.tag, istring(
            "script:3:1: error: missing ';' after 'fileinto' (before 'keep')\r\n"))]
        # Every error is listed, one line each.
        untagged, tagged = c.cmd(script_cmd('frob;\nfileinto "x";\n'))
        assert untagged == ['* FILTER (TAG "%s") ERRORS %s' % (c.tag, istring(
            "script:1:1: error: unknown command 'frob'\r\n"
            "script:2:1: error: command 'fileinto' requires the \"fileinto\" extension "
            "(add it to 'require')\r\n"))]
    finally:
        c.close()
    assert env.stored("cerr") == before
    assert env.counts("cerr") == {"INBOX": 2}


def test_compile_warnings_come_first(env):
    env.prepare("warn", {"INBOX": [msg("one"), msg("two")]})
    c = env.session("warn")
    try:
        untagged, tagged = c.cmd(script_cmd(
            'require ["date", "imap4flags"];\n'
            'if date :is "date" "frob" "x" { addflag "$never"; }\n'))
        tag = c.tag
        assert (untagged, tagged) == ([
            '* FILTER (TAG "%s") WARNINGS %s' % (tag, istring(
                'script:2:20: warning: unknown date part "frob": the test is always false\r\n')),
            filtered(1, tag, 1), filtered(2, tag, 2)], "OK FILTER completed.")
    finally:
        c.close()
    assert [f for _, f, _ in env.stored("warn")] == [set(), set()]
    assert env.counts("warn") == {"INBOX": 2}


# ---- actions -----------------------------------------------------------------------------------

def test_flags_variable_starts_as_the_message_flags(env):
    env.prepare("flags", {"INBOX": [("\\Seen $Old $Keep", msg("one")), ("$Keep", msg("two")),
                                    msg("three")]})
    c = env.session("flags")
    try:
        untagged, tagged = c.cmd(script_cmd(r'''require "imap4flags";
if hasflag "$Old" { removeflag "$Old"; addflag "$New"; }
if hasflag "\\Seen" { addflag "\\Answered"; }
if header :is "subject" "three" { setflag "\\Flagged"; }
'''))
        tag = c.tag
        assert (untagged, tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2), filtered(3, tag, 3),
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Old $Keep $New)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Old $Keep $New "
            "\\*)] Flags permitted.",
            "* 1 FETCH (FLAGS (\\Answered \\Seen $Keep $New))",
            "* 3 FETCH (FLAGS (\\Flagged))"], "OK FILTER completed.")
    finally:
        c.close()
    assert [f for _, f, _ in env.stored("flags")] == [
        {"\\Answered", "\\Seen", "$Keep", "$New"}, {"$Keep"}, {"\\Flagged"}]
    assert env.counts("flags") == {"INBOX": 3}


def test_fileinto_copies_and_marks_the_source_deleted(env):
    msgs = [msg("a"), ("\\Seen", msg("b")), msg("c"), msg("d")]
    env.prepare("fi", {"INBOX": msgs, "Work": []})
    before = env.stored("fi")
    c = env.session("fi")
    try:
        untagged, tagged = c.cmd(script_cmd('''require ["fileinto", "mailbox", "copy"];
if header :is "subject" "a" { fileinto "Work"; }
elsif header :is "subject" "b" { fileinto :create "New/Sub"; }
elsif header :is "subject" "c" { fileinto :copy "Work"; }
'''))
        tag = c.tag
        assert (untagged, tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2), filtered(3, tag, 3), filtered(4, tag, 4),
            "* 1 FETCH (FLAGS (\\Deleted))", "* 2 FETCH (FLAGS (\\Deleted \\Seen))"],
            "OK FILTER completed.")
    finally:
        c.close()
    after = env.stored("fi")
    # The sources stay, byte for byte; :copy keeps c as it was.
    assert [(u, r) for u, _, r in after] == [(u, r) for u, _, r in before]
    assert [f for _, f, _ in after] == [{"\\Deleted"}, {"\\Deleted", "\\Seen"}, set(), set()]
    # The copies: same bytes, the source's flags.
    assert [(f, r) for _, f, r in env.stored("fi", "Work")] == [(set(), msgs[0]),
                                                                (set(), msgs[2])]
    assert [(f, r) for _, f, r in env.stored("fi", "New/Sub")] == [({"\\Seen"}, msgs[1][1])]
    # (New exists only as the parent of New/Sub.)
    assert env.counts("fi") == {"INBOX": 4, "Work": 2, "New/Sub": 1}


def test_fileinto_the_selected_mailbox_is_a_keep(env):
    env.prepare("self", {"INBOX": [msg("in")], "Work": [msg("w1"), msg("w2")]})
    script = script_cmd('require ["fileinto", "imap4flags"];\naddflag "$here";\n'
                        'if header :is "subject" "w2" { fileinto "Work"; }\n'
                        'else { fileinto "inbox"; }\n')
    c = env.session("self", "Work")
    try:
        untagged, tagged = c.cmd(script)
        tag = c.tag
        # w1 is copied into INBOX (and \Deleted here), w2 stays: a keep.
        assert (no_flag_lists(untagged), tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2), "* 1 FETCH (FLAGS (\\Deleted))",
            "* 2 FETCH (FLAGS ($here))"], "OK FILTER completed.")
    finally:
        c.close()
    c = env.session("self", "INBOX")
    try:
        untagged, tagged = c.cmd(script)
        tag = c.tag
        # "inbox" is INBOX: a keep; the copy of w1 has $here already.
        assert (no_flag_lists(untagged), tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2), "* 1 FETCH (FLAGS ($here))"],
            "OK FILTER completed.")
    finally:
        c.close()
    assert [(f, r) for _, f, r in env.stored("self", "Work")] == [
        ({"\\Deleted"}, msg("w1")), ({"$here"}, msg("w2"))]
    assert [(f, r) for _, f, r in env.stored("self")] == [
        ({"$here"}, msg("in")), ({"$here"}, msg("w1"))]
    assert env.counts("self") == {"INBOX": 2, "Work": 2}


FILEINTO_NOPE = 'require ["fileinto", "imap4flags"];\naddflag "$x";\nfileinto "Nope";\n'


def test_fileinto_a_missing_mailbox_is_an_error(env):
    env.prepare("fierr", {"INBOX": [msg("one")]})
    c = env.session("fierr")
    try:
        untagged, tagged = c.cmd(script_cmd(FILEINTO_NOPE))
        assert (untagged[:1], tagged) == ([filtered(1, c.tag, 1, "ERRORS " + istring(
            "line 3: fileinto Nope: Mailbox doesn't exist: Nope\r\n"))], "OK FILTER completed.")
    finally:
        c.close()
    assert env.counts("fierr") == {"INBOX": 1}


def test_failed_fileinto_leaves_the_flags(env):
    env.prepare("fierr2", {"INBOX": [msg("one")]})
    c = env.session("fierr2")
    try:
        untagged, tagged = c.cmd(script_cmd(FILEINTO_NOPE))
        assert (untagged, tagged) == ([filtered(1, c.tag, 1, "ERRORS " + istring(
            "line 3: fileinto Nope: Mailbox doesn't exist: Nope\r\n"))], "OK FILTER completed.")
    finally:
        c.close()
    assert [f for _, f, _ in env.stored("fierr2")] == [set()]


def test_discard_marks_deleted_and_does_not_expunge(env):
    env.prepare("disc", {"INBOX": [msg("drop"), msg("stay")]})
    c = env.session("disc")
    try:
        untagged, tagged = c.cmd(script_cmd(
            'if header :is "subject" "stay" { keep; }\ndiscard;\n'))
        tag = c.tag
        assert (untagged, tagged) == ([filtered(1, tag, 1), filtered(2, tag, 2),
                                       "* 1 FETCH (FLAGS (\\Deleted))"], "OK FILTER completed.")
        assert env.counts("disc") == {"INBOX": 2}
        # The client decides when to expunge.
        assert c.ok("EXPUNGE") == ["* 1 EXPUNGE"]
    finally:
        c.close()
    assert [r for _, _, r in env.stored("disc")] == [msg("stay")]


def test_redirect_sends_from_the_users_address(env, sink):
    m1 = b"Return-Path: <orig@example.com>\r\n" + msg("fwd")
    m2 = msg("fwd copy")
    looped = b"Mailsift-Redirected: <carol@example.net>\r\n" + msg("looped")
    env.prepare("red", {"INBOX": [m1, m2, looped]})
    c = env.session("red")
    try:
        untagged, tagged = c.cmd(script_cmd('''require "copy";
if header :is "subject" "fwd copy" { redirect :copy "dave@example.net"; }
else { redirect "carol@example.net"; }
'''))
        tag = c.tag
        assert (untagged, tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2),
            filtered(3, tag, 3, "WARNINGS " + istring(
                "line 3: not redirected to <carol@example.net>: it came through a redirect "
                "to that address\r\n")),
            "* 1 FETCH (FLAGS (\\Deleted))"], "OK FILTER completed.")
    finally:
        c.close()
    sent = sorted(wait_sink(sink, 2), key=lambda s: s.rcpts)
    assert [(s.sender, s.rcpts) for s in sent] == [
        ("red@example.org", ["carol@example.net"]), ("red@example.org", ["dave@example.net"])]
    # Mailsift-Redirected first, then the message without its Return-Path.
    assert sent[0].raw == b"Mailsift-Redirected: <carol@example.net>\n" + msg("fwd").replace(
        b"\r\n", b"\n")
    assert sent[1].raw == b"Mailsift-Redirected: <dave@example.net>\n" + m2.replace(
        b"\r\n", b"\n")
    assert [f for _, f, _ in env.stored("red")] == [{"\\Deleted"}, set(), set()]
    assert env.counts("red") == {"INBOX": 3}


def test_redirect_by_a_user_name_without_domain_has_the_null_sender(env, sink):
    env.prepare("plain", {"INBOX": [msg("fwd")]})
    c = env.session("plain")
    try:
        assert c.cmd(script_cmd('redirect "carol@example.net";')) == (
            [filtered(1, c.tag, 1), "* 1 FETCH (FLAGS (\\Deleted))"], "OK FILTER completed.")
    finally:
        c.close()
    (sent,) = wait_sink(sink, 1)
    assert (sent.sender, sent.rcpts) == ("", ["carol@example.net"])
    assert env.counts("plain") == {"INBOX": 1}


@pytest.mark.parametrize("user, script, warning", [
    ("mta1", 'require "reject";\nreject "no thanks";\n',
     "line 2: reject ignored: the message was delivered long ago"),
    ("mta2", 'require "ereject";\nereject "no thanks";\n',
     "line 2: ereject ignored: the message was delivered long ago"),
    ("mta3", 'require "vnd.mailsift.tempfail";\ntempfail "later";\n',
     "line 2: tempfail ignored: it is an SMTP-time action"),
    ("mta4", 'require "vnd.mailsift.quarantine";\nquarantine "suspect";\n',
     "line 2: quarantine ignored: it is an SMTP-time action"),
])
def test_mta_actions_are_warnings_and_the_message_stays(env, sink, user, script, warning):
    env.prepare(user, {"INBOX": [("\\Seen", msg("m"))]})
    before = env.stored(user)
    c = env.session(user)
    try:
        assert c.cmd(script_cmd(script)) == (
            [filtered(1, c.tag, 1, "WARNINGS " + istring(warning + "\r\n"))],
            "OK FILTER completed.")
    finally:
        c.close()
    assert wait_sink(sink, 0, timeout=0) == []
    assert env.stored(user) == before
    assert env.counts(user) == {"INBOX": 1}


def test_header_edits_go_into_copies_only(env):
    original = msg("edit me", extra=b"X-Old: 1\r\n")
    env.prepare("edit", {"INBOX": [original], "Work": []})
    c = env.session("edit")
    try:
        assert c.cmd(script_cmd('''require ["editheader", "fileinto"];
addheader "X-Filed" "yes";
deleteheader "x-old";
fileinto "Work";
keep;
''')) == ([filtered(1, c.tag, 1)], "OK FILTER completed.")
    finally:
        c.close()
    (_, flags, raw), = env.stored("edit")
    assert (flags, raw) == (set(), original)
    (_, flags, raw), = env.stored("edit", "Work")
    assert (flags, raw) == (set(), b"X-Filed: yes\r\n" + original.replace(b"X-Old: 1\r\n", b""))
    assert env.counts("edit") == {"INBOX": 1, "Work": 1}


def test_envelope_and_environment(env):
    env.prepare("env", {"INBOX": [b"Return-Path: <orig@example.com>\r\n" + msg("rp"),
                                  msg("none")]})
    c = env.session("env")
    try:
        untagged, tagged = c.cmd(script_cmd('''require ["envelope", "environment", "imap4flags"];
if envelope :is "from" "orig@example.com" { addflag "$from"; }
if envelope :is "from" "" { addflag "$nofrom"; }
if envelope :is "to" "env@example.org" { addflag "$to"; }
if allof (environment :is "location" "MS", environment :is "phase" "post") {
  addflag "$ms-post";
}
'''))
        tag = c.tag
        assert (no_flag_lists(untagged), tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2),
            "* 1 FETCH (FLAGS ($from $to $ms-post))",
            "* 2 FETCH (FLAGS ($to $ms-post $nofrom))"], "OK FILTER completed.")
    finally:
        c.close()
    assert env.counts("env") == {"INBOX": 2}


def test_runtime_error_leaves_the_message_as_it_was(env):
    env.prepare("rt", {"INBOX": [msg("bad"), msg("good")], "Work": []})
    c = env.session("rt")
    try:
        untagged, tagged = c.cmd(script_cmd('''require ["fileinto", "ihave", "imap4flags"];
addflag "$x";
fileinto "Work";
if header :is "subject" "bad" { error "boom"; }
'''))
        tag = c.tag
        assert (untagged, tagged) == ([
            filtered(1, tag, 1, "ERRORS " + istring("line 4: boom\r\n")), filtered(2, tag, 2),
            "* 2 FETCH (FLAGS (\\Deleted))"], "OK FILTER completed.")
    finally:
        c.close()
    # Nothing of what the failed run decided was done: no copy of "bad".
    assert [r for _, _, r in env.stored("rt", "Work")] == [msg("good")]
    assert [f for _, f, _ in env.stored("rt", "Work")] == [{"$x"}]
    assert env.counts("rt") == {"INBOX": 2, "Work": 1}


# ---- DELIVERY, PERSONAL, GLOBAL ----------------------------------------------------------------

def test_delivery_runs_before_user_after(env):
    env.script("dl", "before.sieve", 'require "imap4flags";\naddflag "$before";\n'
                                     'if header :is "subject" "stop" { stop; }\n')
    env.script("dl", ".dovecot.sieve", 'require ["imap4flags", "fileinto"];\naddflag "$user";\n'
                                       'if header :is "subject" "file" { fileinto "Work"; }\n')
    env.script("dl", "after.sieve", 'require ["imap4flags", "ihave"];\naddflag "$after";\n'
                                    'if header :is "subject" "err" { error "late"; }\n')
    env.prepare("dl", {"INBOX": [msg("plain"), msg("stop"), msg("file"), msg("err")],
                       "Work": []})
    c = env.session("dl")
    try:
        untagged, tagged = c.cmd("FILTER SIEVE DELIVERY ALL")
        tag = c.tag
        assert (no_flag_lists(untagged), tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2), filtered(3, tag, 3),
            filtered(4, tag, 4, "ERRORS " + istring("mailsift_after: line 3: late\r\n")),
            # The flags pass from script to script; stop ends the sequence.
            "* 1 FETCH (FLAGS ($before $user $after))",
            "* 2 FETCH (FLAGS ($before))",
            "* 3 FETCH (FLAGS (\\Deleted))"], "OK FILTER completed.")
    finally:
        c.close()
    assert [f for _, f, _ in env.stored("dl", "Work")] == [{"$before", "$user"}]
    assert env.counts("dl") == {"INBOX": 4, "Work": 1}
    # Without the user's script, before and after still run.
    (env.dc.home("dl") / ".dovecot.sieve").unlink()
    c = env.session("dl")
    try:
        untagged, tagged = c.cmd("UID FILTER SIEVE DELIVERY UID 1")
        assert (untagged, tagged) == ([filtered(1, c.tag, 1)], "OK FILTER completed.")
    finally:
        c.close()
    assert env.counts("dl") == {"INBOX": 4, "Work": 1}


def test_delivery_with_a_broken_script_runs_nothing(env):
    env.script("dlbad", "before.sieve", 'require "imap4flags";\nfrob;\n')
    env.script("dlbad", ".dovecot.sieve", 'discard;\n')
    env.prepare("dlbad", {"INBOX": [msg("one")]})
    c = env.session("dlbad")
    try:
        assert c.cmd("FILTER SIEVE DELIVERY ALL") == (
            # Named after its setting: the server's paths stay private.
            ['* FILTER (TAG "%s") ERRORS %s' % (c.tag, istring(
                "mailsift_before:2:1: error: unknown command 'frob'\r\n"))],
            "NO Sieve filter failed to compile.")
    finally:
        c.close()
    assert [f for _, f, _ in env.stored("dlbad")] == [set()]
    assert env.counts("dlbad") == {"INBOX": 1}


def test_delivery_without_scripts(env):
    env.prepare("dlnone", {"INBOX": [msg("one"), msg("two")]})
    env.script("dlnone", ".dovecot.sieve", "discard;\n")   # mailsift_user = none
    c = env.session("dlnone")
    try:
        assert c.cmd("FILTER SIEVE DELIVERY ALL") == (
            [filtered(1, c.tag, 1), filtered(2, c.tag, 2)], "OK FILTER completed.")
    finally:
        c.close()
    assert [f for _, f, _ in env.stored("dlnone")] == [set(), set()]
    assert env.counts("dlnone") == {"INBOX": 2}


def test_personal_scripts(env):
    env.script("pers", "sieve/good.sieve", 'require "imap4flags";\naddflag "$good";\n')
    env.script("pers", "sieve/Grüße.sieve", 'require "imap4flags";\naddflag "$utf8";\n')
    env.script("pers", "sieve/bad.sieve", 'require "imap4flags";\n\nfrob;\n')
    env.script("pers", "sieve/.hidden.sieve", "discard;\n")
    env.prepare("pers", {"INBOX": [msg("one")]})
    c = env.session("pers")
    try:
        for name in (b"good", b'"good"', lit("Grüße")):
            untagged, tagged = c.cmd(b"FILTER SIEVE PERSONAL " + name + b" ALL")
            assert (no_flag_lists(untagged)[:1], tagged) == (
                [filtered(1, c.tag, 1)], "OK FILTER completed."), name
        assert c.cmd('FILTER SIEVE PERSONAL "bad" ALL') == (
            ['* FILTER (TAG "%s") ERRORS %s' % (c.tag, istring(
                "bad:3:1: error: unknown command 'frob'\r\n"))],
            "NO Sieve filter failed to compile.")
        assert c.cmd('FILTER SIEVE PERSONAL "missing" ALL') == (
            [], "NO [NONEXISTENT] Sieve script does not exist.")
        for name in ('".hidden"', '"a/b"', '""', lit("a\x01b"), lit("a\u2028b"),
                     lit(b"a\xffb"), lit("x" * 256), '"../sieve/good"'):
            name = name.encode() if isinstance(name, str) else name
            assert c.cmd(b"FILTER SIEVE PERSONAL " + name + b" ALL") == (
                [], "BAD Error in IMAP command FILTER: Invalid script name."), name
        # The user has no global scripts.
        assert c.cmd('FILTER SIEVE GLOBAL "good" ALL') == (
            [], "NO [NONEXISTENT] No global Sieve scripts here.")
    finally:
        c.close()
    assert [f for _, f, _ in env.stored("pers")] == [{"$good", "$utf8"}]
    assert env.counts("pers") == {"INBOX": 1}


def test_personal_script_warnings_reach_the_client(env):
    env.script("perswarn", "sieve/w.sieve", 'require ["date", "imap4flags"];\n'
                                            'if date :is "date" "frob" "x" { addflag "$n"; }\n')
    env.prepare("perswarn", {"INBOX": [msg("one")]})
    c = env.session("perswarn")
    try:
        untagged, tagged = c.cmd('FILTER SIEVE PERSONAL "w" ALL')
        assert tagged == "OK FILTER completed."
        assert untagged[-1] == filtered(1, c.tag, 1)
        assert len(untagged) == 2 and untagged[0].startswith(
            '* FILTER (TAG "%s") WARNINGS ' % c.tag), untagged
        assert 'unknown date part "frob"' in untagged[0]
    finally:
        c.close()


def test_personal_scripts_turned_off(env):
    env.script("nopers", "sieve/good.sieve", "keep;\n")
    env.prepare("nopers", {"INBOX": [msg("one")]})
    c = env.session("nopers")
    try:
        assert c.cmd('FILTER SIEVE PERSONAL "good" ALL') == (
            [], "NO [NONEXISTENT] No personal Sieve scripts here.")
    finally:
        c.close()


def test_global_scripts(env):
    p = env.global_dir / "spam.sieve"
    p.write_text('require "imap4flags";\naddflag "$global";\n')
    os.chmod(p, 0o644)
    env.prepare("glob", {"INBOX": [msg("one")]})
    c = env.session("glob")
    try:
        assert no_flag_lists(c.ok('FILTER SIEVE GLOBAL "spam" ALL')) == [
            filtered(1, c.tag, 1), "* 1 FETCH (FLAGS ($global))"]
        assert c.cmd('FILTER SIEVE GLOBAL "nope" ALL') == (
            [], "NO [NONEXISTENT] Sieve script does not exist.")
        assert c.cmd('FILTER SIEVE GLOBAL ".spam" ALL') == (
            [], "BAD Error in IMAP command FILTER: Invalid script name.")
    finally:
        c.close()
    assert env.counts("glob") == {"INBOX": 1}


# ---- the command's syntax -------------------------------------------------------------------

@pytest.fixture(scope="module")
def syn(env):
    env.prepare("syn", {"INBOX": [msg("one")]})
    c = env.session("syn")
    yield c
    c.close()
    assert env.counts("syn") == {"INBOX": 1}


@pytest.mark.parametrize("command, tagged", [
    ("FILTER SIEVE", "BAD Error in IMAP command FILTER: Missing filter specification."),
    ("FILTER SIEVE FOO ALL",
     "BAD Error in IMAP command FILTER: Unknown Sieve filter specification."),
    ('FILTER MAILSCRIPT SCRIPT "keep;" ALL',
     "BAD Error in IMAP command FILTER: Unknown filter type: only SIEVE is supported."),
    ("FILTER SIEVE SCRIPT", "BAD Error in IMAP command FILTER: Missing script."),
    ("FILTER SIEVE PERSONAL", "BAD Error in IMAP command FILTER: Missing script name."),
    ('FILTER SIEVE SCRIPT "keep;"', "BAD Error in IMAP command FILTER: Missing search criteria."),
    ('FILTER SIEVE SCRIPT "keep;" CHARSET',
     "BAD Error in IMAP command FILTER: Invalid charset argument."),
    ('FILTER SIEVE SCRIPT "keep;" CHARSET X-NO-SUCH ALL', "NO [BADCHARSET] Unknown charset."),
    ('FILTER SIEVE SCRIPT "keep;" FROBKEY',
     "BAD Error in IMAP command FILTER: Unknown argument FROBKEY."),
    ('FILTER SIEVE SCRIPT "keep;" X-SIEVE "frob"',
     "BAD Error in IMAP command FILTER: X-SIEVE: line 1, column 1: unknown test 'frob'."),
    ('FILTER SIEVE SCRIPT "keep;" 99', "OK FILTER completed."),
    ('UID FILTER SIEVE SCRIPT "keep;" 99', "OK FILTER completed."),
])
def test_syntax(syn, command, tagged):
    assert syn.cmd(command) == ([], tagged)


def test_needs_a_selected_mailbox(env):
    c = env.session("syn", folder=None)
    try:
        assert c.cmd('FILTER SIEVE SCRIPT "keep;" ALL') == ([], "BAD No mailbox selected.")
    finally:
        c.close()


# ---- which messages ---------------------------------------------------------------------------

def test_search_criteria_choose_the_messages(env):
    subjects = ["zero", "foo one", "two", "foo three", "four", "Grüße", "six"]
    env.prepare("crit", {"INBOX": [msg(s) for s in subjects]})
    c = env.session("crit")
    try:
        # UIDs 2..7 at sequence numbers 1..6.
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("EXPUNGE")
        mark = 'require "imap4flags";\naddflag "$%s";\n'

        def run(command):
            untagged, tagged = c.cmd(command)
            assert tagged == "OK FILTER completed.", tagged
            return [x for x in no_flag_lists(untagged) if "FILTERED" in x]

        assert run(script_cmd(mark % "a", "SUBJECT foo")) == [
            filtered(1, c.tag, 2), filtered(3, c.tag, 4)]
        assert run(script_cmd(mark % "b", "2:4")) == [
            filtered(2, c.tag, 3), filtered(3, c.tag, 4), filtered(4, c.tag, 5)]
        assert run(script_cmd(mark % "c", "UID 3:5", uid=True)) == [
            filtered(2, c.tag, 3), filtered(3, c.tag, 4), filtered(4, c.tag, 5)]
        assert run(script_cmd(mark % "d", "NOT " + xs('header :contains "subject" "o"'))) == [
            filtered(5, c.tag, 6), filtered(6, c.tag, 7)]
        assert run(script_cmd(mark % "e", b"CHARSET UTF-8 SUBJECT " + lit("Grüße"))) == [
            filtered(5, c.tag, 6)]
        assert run(script_cmd(mark % "f", b"CHARSET ISO-8859-1 SUBJECT " + lit(b"Gr\xfc\xdfe"))) \
            == [filtered(5, c.tag, 6)]
        assert c.cmd("SEARCH RETURN (SAVE) OR 1 6") == ([], "OK Search completed.")
        assert run(script_cmd(mark % "g", "$")) == [filtered(1, c.tag, 2), filtered(6, c.tag, 7)]
        assert run(script_cmd(mark % "h", "$ " + xs('header :contains "subject" "foo"'),
                              uid=True)) == [filtered(1, c.tag, 2)]
    finally:
        c.close()
    assert [sorted(f) for _, f, _ in env.stored("crit")] == [
        ["$a", "$g", "$h"], ["$b", "$c"], ["$a", "$b", "$c"], ["$b", "$c"], ["$d", "$e", "$f"],
        ["$d", "$g"]]
    assert env.counts("crit") == {"INBOX": 6}


def test_an_xsieve_failure_midway_keeps_what_was_done(env):
    env.prepare("limf", {"INBOX": [msg("digit 1"), msg("no digits here"), msg("digit 3")]})
    c = env.session("limf")
    try:
        untagged, tagged = c.cmd(script_cmd(
            'require ["fileinto", "mailbox"];\nfileinto :create "Out";\n',
            xs(r'header :regex "subject" "^(.*)*(.*)*[0-9]$"')))
        assert (untagged, tagged) == ([filtered(1, c.tag, 1)],
                                      "NO [LIMIT] X-SIEVE: UID 2: regex match limit exceeded.")
    finally:
        c.close()
    assert env.counts("limf") == {"INBOX": 3, "Out": 1}
    # Message 1 was copied and reported FILTERED OK: it is \Deleted.
    assert [f for _, f, _ in env.stored("limf")] == [{"\\Deleted"}, set(), set()]


def test_filter_copies_fire_imap_copy_rules(env):
    """The mailsift plugin sees FILTER's fileinto as a copy by an IMAP
    client (its own actions are the only ones it leaves out): a COPY rule
    of the target mailbox runs on the copy.  A copy with header edits is
    saved as a new message: no COPY rule."""
    env.script("rule", "copy.sieve", 'require "imap4flags";\naddflag "$Ruled";\n')
    env.prepare("rule", {"INBOX": [msg("plain"), msg("edited")], "Copied": []})
    c = env.session("rule")
    try:
        untagged, tagged = c.cmd(script_cmd('''require ["fileinto", "editheader"];
if header :is "subject" "edited" { addheader "X-Edited" "yes"; }
fileinto "Copied";
'''))
        tag = c.tag
        assert (untagged, tagged) == ([
            filtered(1, tag, 1), filtered(2, tag, 2), "* 1 FETCH (FLAGS (\\Deleted))",
            "* 2 FETCH (FLAGS (\\Deleted))"], "OK FILTER completed.")
    finally:
        c.close()
    assert [(f, r) for _, f, r in env.stored("rule", "Copied")] == [
        ({"$Ruled"}, msg("plain")), (set(), b"X-Edited: yes\r\n" + msg("edited"))]
    assert env.counts("rule") == {"INBOX": 2, "Copied": 2}


# ---- many messages, slow and vanishing clients --------------------------------------------------

def bulk(n):
    return [msg("bulk %d %s" % (i, "even" if i % 2 == 0 else "odd")) for i in range(1, n + 1)]


def test_five_hundred_messages(env):
    env.prepare("big", {"INBOX": bulk(500)})
    c = env.session("big")
    try:
        t0 = time.monotonic()
        untagged, tagged = c.cmd(script_cmd(
            'require "imap4flags";\nif header :contains "subject" "even" { addflag "$even"; }\n'))
        tag = c.tag
        assert tagged == "OK FILTER completed."
        untagged = no_flag_lists(untagged)
        assert untagged[:500] == [filtered(i, tag, i) for i in range(1, 501)]
        assert untagged[500:] == ["* %d FETCH (FLAGS ($even))" % i for i in range(2, 501, 2)]
        even = "* SEARCH " + " ".join(str(i) for i in range(2, 501, 2))
        assert c.search("SEARCH " + xs('header :contains "subject" "even"')) == (
            [even], "OK Search completed.")
        assert c.search("SEARCH KEYWORD $even") == ([even], "OK Search completed.")
        untagged, tagged = c.cmd(script_cmd('require "imap4flags";\naddflag "$odd";\n',
                                            xs('header :contains "subject" "odd"'), uid=True))
        assert tagged == "OK FILTER completed."
        assert no_flag_lists(untagged) == [filtered(i, c.tag, i) for i in range(1, 501, 2)] + [
            "* %d FETCH (FLAGS ($odd))" % i for i in range(1, 501, 2)]
        assert time.monotonic() - t0 < 20
    finally:
        c.close()
    assert env.counts("big") == {"INBOX": 500}


# 31 fileinto of missing mailboxes (long names; the first shortened to 80
# bytes): 11 KB of ERRORS per message, 5.7 MB for 500, more than the
# socket buffers (tcp_wmem's 4 MB at most) hold for a client that does
# not read.
MISSING = ["n" * 238 + "%02d" % i for i in range(31)]
NOISY = 'require "fileinto";\n' + "".join('fileinto "%s";\n' % m for m in MISSING)
NOISE = "".join("line %d: fileinto %s...: Mailbox doesn't exist: %s\r\n" % (i + 2, m[:77], m)
                for i, m in enumerate(MISSING))


def running_command(dc, user):
    """The command in user's imap process titles (verbose_proctitle:
    "imap [USER 127.0.0.1 FILTER]"), or ""."""
    for pid in dc.processes():
        try:
            title = Path("/proc/%d/cmdline" % pid).read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        m = re.search(r"/imap \[%s 127\.0\.0\.1 ?([^\]]*)\]" % re.escape(user), title)
        if m:
            return m.group(1).strip()
    return ""


def test_a_slow_reader_gets_every_line(env):
    """A client that reads nothing for a while (a small receive buffer):
    FILTER waits for its output to drain, then goes on."""
    env.prepare("slow", {"INBOX": bulk(500)})
    c = env.session("slow", rcvbuf=4096)
    try:
        tag = c.send(script_cmd(NOISY))
        time.sleep(0.5)
        assert running_command(env.dc, "slow") == "FILTER"
        untagged, tagged = c.wait(tag)
        assert tagged == "OK FILTER completed."
        assert untagged == [filtered(i, tag, i, "ERRORS " + istring(NOISE))
                            for i in range(1, 501)]
    finally:
        c.close()
    assert env.counts("slow") == {"INBOX": 500}
    assert all(f == set() for _, f, _ in env.stored("slow"))


def test_a_client_leaving_midway(env):
    """The client goes while FILTER waits for it: the command is
    cancelled, the session ends, nothing is lost."""
    env.prepare("gone", {"INBOX": bulk(500), "Out": []})
    c = env.session("gone", rcvbuf=4096)
    c.send(script_cmd(NOISY.replace('fileinto "%s";\n' % MISSING[0], 'fileinto "Out";\n')))
    time.sleep(0.3)
    assert running_command(env.dc, "gone") == "FILTER"
    c.sock.close()
    # Its session ends while the command runs (Dovecot's disconnect line
    # names it) and never gets to the plugin's summary line.
    end = time.monotonic() + 10
    while True:
        log = [x for x in env.dc.log().splitlines() if " imap(gone)<" in x]
        if any("Disconnected: " in x and "(FILTER running for " in x for x in log):
            break
        assert time.monotonic() < end, log[-3:]
        time.sleep(0.05)
    assert [x for x in log if "FILTER on" in x] == []
    assert running_command(env.dc, "gone") == ""
    counts = env.counts("gone")
    assert counts["INBOX"] == 500 and 0 < counts["Out"] < 500, counts
    c = env.session("gone")
    try:
        assert c.search("SEARCH X-SIEVE true 1:3") == (["* SEARCH 1 2 3"], "OK Search completed.")
    finally:
        c.close()


def test_a_message_expunged_behind_dovecots_back(env):
    env.prepare("race", {"INBOX": [msg("one"), msg("two"), msg("three")]})
    c = env.session("race")
    try:
        gone = []
        for sub in ("cur", "new"):
            d = env.dc.maildir("race") / sub
            for f in os.listdir(d):
                if b"Subject: two\r\n" in (d / f).read_bytes().replace(b"\n", b"\r\n"):
                    (d / f).unlink()
                    gone.append(f)
        assert len(gone) == 1
        untagged, tagged = c.cmd(script_cmd('require "imap4flags";\naddflag "$seen";\n'))
        tag = c.tag
        assert (no_flag_lists(untagged), tagged) == ([
            filtered(1, tag, 1), filtered(3, tag, 3), "* 1 FETCH (FLAGS ($seen))",
            "* 3 FETCH (FLAGS ($seen))", "* 2 EXPUNGE"], "OK FILTER completed.")
    finally:
        c.close()
    assert env.counts("race") == {"INBOX": 2}


def test_log_has_no_panics(env):
    assert [x for x in log_problems(env.dc)
            if "Panic" in x or "Fatal" in x or "assert" in x] == []


# ---- Pigeonhole's imap_filter_sieve loaded first ------------------------------------------------

def test_pigeonhole_filter_plugin_keeps_the_command(dovecot_factory, tmp_path):
    if dvc.plugin_file(dvc.DOVECOT_MODULES, "imap_filter_sieve") is None:
        pytest.skip("Pigeonhole's imap_filter_sieve is not installed (dovecot-sieve)")
    src = find_plugin_dir(MODULES[1:])
    dc = dovecot_factory("ph", users=("ph",),
                         mail_plugins=["imap_filter_sieve", "imap_mailsift"],
                         mail_plugin_dir=plugin_modules(src, tmp_path / "plugins", MODULES[1:]))
    c = RawImap.login(dc, "ph")
    try:
        (line,), _ = c.cmd("CAPABILITY")
        assert line.split().count("FILTER=SIEVE") == 1
        assert line.split().count("SEARCH=X-SIEVE") == 1
    finally:
        c.close()
    dc.wait_log("imap_mailsift: another plugin (imap_filter_sieve?) has the FILTER command: "
                "mailsift's FILTER is not available")
