# SPDX-License-Identifier: MIT
"""The mailsift Dovecot plugin's rules on IMAP events (RFC 6785) in a
real private Dovecot (dovecot.py), driven by imaplib: APPEND, COPY, MOVE
and STORE run the matching rules (mailsift_imap_rule...) after the
command's commit, with the imap.* environment items, location MS and
phase post, and the imap4flags variable starting as the message's own
flags.  Checked over IMAP: exact mailboxes, message counts and FLAGS.

One Dovecot instance serves the module.  Its rules name scripts in the
user's home (~/NAME.sieve), so each test's users opt in by writing the
scripts they need; a rule whose script is missing does nothing.
Covered: fileinto copies (the original stays), keep/implicit keep with
flags, discard expunges, `%` and `*` patterns, the environment,
no loops from the plugin's own copies and flag changes, redirect and
the other MTA actions, envelope tests and runtime errors leaving the
message as it is, and LMTP delivery not being an APPEND event."""

import imaplib
import re
from pathlib import Path

import pytest

import dovecot as dvc

MODULES = ("lib95_mailsift_plugin.so",)
RULES = {
    "mailsift_imap_rule": "Sent APPEND ~/sent.sieve",
    "mailsift_imap_rule2": "* APPEND ~/append.sieve",
    # Dovecot expands %-variables in plugin settings: "%%" is a "%".
    "mailsift_imap_rule3": "Archive/%% COPY ~/archive.sieve",
    "mailsift_imap_rule4": "* COPY ~/copy.sieve",
    "mailsift_imap_rule5": "* FLAG ~/flag.sieve",
    "mailsift_imap_rule6": "Lists/* APPEND ~/lists.sieve",
    "mailsift_imap_rule7": "* append,Copy,FLAG ~/all.sieve",
}
USERS = ("sent", "pat", "mv", "env", "fenv", "disc", "loop", "deny", "lm", "two", "rt",
         "vars", "kw", "exist", "nosc")

MSG = b"From: Jane <jane@example.com>\r\nSubject: hello\r\nMessage-ID: <e1@example.com>\r\n" \
      b"\r\nbody\r\n"

# imaplib knows no MOVE (RFC 6851).
imaplib.Commands.setdefault("MOVE", ("SELECTED",))


def plugin_modules(plugin_dir, dest):
    """A directory with only the module under test, linked from
    plugin_dir (a build directory may hold stale modules)."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in MODULES:
        (dest / f).symlink_to(Path(plugin_dir) / f)
    return dest


class Env:
    def __init__(self, dc):
        self.dc = dc

    def script(self, user, name, text):
        return self.dc.write_home_file(user, name + ".sieve", text, mode=0o644)

    def session(self, user, create=()):
        m = self.dc.imap(user)
        for box in create:
            typ, data = m.create('"%s"' % box)
            assert typ == "OK", data
        return m

    def flags(self, user, folder="INBOX"):
        return [f for _, f, _ in self.dc.messages(user, folder)]

    def folders(self, user):
        return sorted(self.dc.folders(user))

    def log_lines(self, user):
        return [line.split(": mailsift: ", 1)[1] for line in self.dc.log().splitlines()
                if line.split(" ", 3)[2].startswith("imap(%s)<" % user)
                and ": mailsift: " in line and not line.endswith(": no such script")]


def append(m, box, flags="", message=MSG):
    typ, data = m.append('"%s"' % box, flags or None, None, message)
    assert typ == "OK", data
    uid = re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0])
    return int(uid.group(1))


def select(m, box):
    typ, data = m.select('"%s"' % box)
    assert typ == "OK", data


def ok(res):
    typ, data = res
    assert typ == "OK", data
    return data


@pytest.fixture(scope="module")
def env(dovecot_ready, plugin_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("imap-events")
    dc = dvc.PrivateDovecot(root / "dc", mail_plugins=["mailsift"],
                            mail_plugin_dir=plugin_modules(plugin_dir, root / "plugins"),
                            plugin_settings=RULES)
    for u in USERS:
        dc.add_user(u)
    try:
        dc.start()
        yield Env(dc)
    finally:
        dc.stop()


# ---- APPEND -----------------------------------------------------------------------------

def test_append_rule_copies_and_sets_flags(env):
    env.script("sent", "sent", 'require ["fileinto", "mailbox", "imap4flags"];\n'
                               'addflag "$Filed";\nfileinto :create "Sent/Copies";\n')
    m = env.session("sent", create=["Sent"])
    try:
        assert append(m, "Sent", r"(\Seen)") == 1
        assert append(m, "INBOX", r"(\Seen)") == 1
    finally:
        m.logout()
    # The original stays as it was (fileinto cancelled the implicit keep,
    # which would have set the flags on it); the copy has the variable's.
    (uid, flags, raw), = env.dc.messages("sent", "Sent")
    assert (uid, flags, raw) == (1, {"\\Seen"}, MSG)
    (uid, flags, raw), = env.dc.messages("sent", "Sent/Copies")
    assert (uid, flags, raw) == (1, {"\\Seen", "$Filed"}, MSG)
    # INBOX is not "Sent": no rule ran.
    assert env.flags("sent") == [{"\\Seen"}]
    assert env.folders("sent") == ["INBOX", "Sent", "Sent/Copies"]
    assert env.log_lines("sent") == ["copied to Sent/Copies"]


def test_flags_variable_starts_as_the_message_flags(env):
    env.script("vars", "append", r'''require ["imap4flags"];
if hasflag "$Old" { removeflag "$Old"; addflag "$New"; }
if hasflag "\\Seen" { addflag "\\Answered"; }
''')
    m = env.session("vars")
    try:
        append(m, "INBOX", r"(\Seen $Old $Keep)")
        append(m, "INBOX", r"($Keep)")
    finally:
        m.logout()
    assert env.flags("vars") == [{"\\Seen", "\\Answered", "$New", "$Keep"}, {"$Keep"}]


def test_lmtp_delivery_is_no_append_event(env):
    env.script("lm", "append", 'require ["fileinto", "mailbox"];\n'
                               'fileinto :create "Triggered";\n')
    r = env.dc.deliver(["lm@example.org"], MSG)
    assert r["lm@example.org"][0] == 250
    assert env.folders("lm") == ["INBOX"]
    assert env.flags("lm") == [set()]
    # The same rule on an IMAP APPEND.
    m = env.session("lm")
    try:
        append(m, "INBOX")
    finally:
        m.logout()
    assert env.folders("lm") == ["INBOX", "Triggered"]
    assert len(env.dc.messages("lm", "Triggered")) == 1
    assert len(env.dc.messages("lm")) == 2


# ---- patterns, COPY, MOVE ----------------------------------------------------------------

def test_percent_and_star_patterns(env):
    env.script("pat", "archive", 'require "imap4flags";\naddflag "$Archived";\n')
    env.script("pat", "lists", 'require "imap4flags";\naddflag "$List";\n')
    boxes = ["Archive", "Archive/2026", "Archive/2026/Q1", "Lists", "Lists/a", "Lists/a/b",
             "Other/Lists"]
    m = env.session("pat", create=boxes)
    try:
        append(m, "INBOX")
        select(m, "INBOX")
        for box in ("Archive", "Archive/2026", "Archive/2026/Q1"):
            ok(m.uid("COPY", "1", '"%s"' % box))
        for box in ("Lists", "Lists/a", "Lists/a/b", "Other/Lists"):
            append(m, box)
    finally:
        m.logout()
    # Archive/% matches one level below Archive only.
    assert env.flags("pat", "Archive") == [set()]
    assert env.flags("pat", "Archive/2026") == [{"$Archived"}]
    assert env.flags("pat", "Archive/2026/Q1") == [set()]
    # Lists/* matches every level below Lists.
    assert env.flags("pat", "Lists") == [set()]
    assert env.flags("pat", "Lists/a") == [{"$List"}]
    assert env.flags("pat", "Lists/a/b") == [{"$List"}]
    assert env.flags("pat", "Other/Lists") == [set()]
    assert env.flags("pat") == [set()]


def test_copy_and_move_run_copy_rules(env):
    env.script("mv", "copy", r'''require ["imap4flags", "environment"];
if environment :is "imap.cause" "COPY" { addflag "$ByCopyRule"; }
''')
    m = env.session("mv", create=["Work"])
    try:
        append(m, "INBOX", r"(\Seen)")
        append(m, "INBOX", r"(\Flagged)")
        select(m, "INBOX")
        ok(m.uid("COPY", "1", "Work"))
        ok(m.uid("MOVE", "2", "Work"))
    finally:
        m.logout()
    assert env.flags("mv", "Work") == [{"\\Seen", "$ByCopyRule"},
                                       {"\\Flagged", "$ByCopyRule"}]
    # The source of the copy is unchanged; the moved one is gone.
    assert [(u, f) for u, f, _ in env.dc.messages("mv")] == [(1, {"\\Seen"})]


def test_discard_expunges(env):
    env.script("disc", "copy", 'if header :is "subject" "hello" { discard; }\n')
    m = env.session("disc", create=["Trash"])
    try:
        append(m, "INBOX")
        append(m, "INBOX", message=MSG.replace(b"hello", b"keep me"))
        select(m, "INBOX")
        ok(m.uid("COPY", "1:2", "Trash"))
        typ, data = m.status("Trash", "(MESSAGES UIDNEXT)")
    finally:
        m.logout()
    assert data == [b'Trash (MESSAGES 1 UIDNEXT 3)']
    (uid, flags, raw), = env.dc.messages("disc", "Trash")
    assert (uid, flags) == (2, set()) and b"Subject: keep me\r\n" in raw
    assert len(env.dc.messages("disc")) == 2
    assert env.log_lines("disc") == [
        "%s: discarded (expunged) uid 1" % (env.dc.home("disc") / "copy.sieve")]


# ---- STORE -------------------------------------------------------------------------------

def test_store_rule_and_changedflags(env):
    env.script("fenv", "flag", r"""require ["fileinto", "mailbox", "variables", "environment"];
if environment :matches "imap.changedflags" "*" { set "changed" "${1}"; }
fileinto :create "Changed/${changed}";
""")
    m = env.session("fenv")
    try:
        append(m, "INBOX")
        select(m, "INBOX")
        ok(m.uid("STORE", "1", "+FLAGS", r"(\Flagged)"))
        ok(m.uid("STORE", "1", "+FLAGS", r"(\Flagged)"))      # no change: no event
        ok(m.uid("STORE", "1", "+FLAGS", r"($Label1)"))
        # \Flagged goes, \Seen comes, $Label1 stays.
        ok(m.uid("STORE", "1", "FLAGS", r"(\Seen $Label1)"))
    finally:
        m.logout()
    assert env.folders("fenv") == ["Changed", "Changed/$Label1", "Changed/\\Flagged",
                                   "Changed/\\Flagged \\Seen", "INBOX"]
    # Each copy has the flags the message had when the rule ran.
    assert env.flags("fenv", "Changed/\\Flagged") == [{"\\Flagged"}]
    assert env.flags("fenv", "Changed/$Label1") == [{"\\Flagged", "$Label1"}]
    assert env.flags("fenv", "Changed/\\Flagged \\Seen") == [{"\\Seen", "$Label1"}]
    assert env.flags("fenv") == [{"\\Seen", "$Label1"}]
    assert env.log_lines("fenv") == ["copied to Changed/\\Flagged", "copied to Changed/$Label1",
                                     "copied to Changed/\\Flagged \\Seen"]


def test_one_store_is_one_event(env):
    env.script("two", "flag", r"""require ["fileinto", "mailbox", "variables", "environment",
  "imap4flags", "copy"];
if environment :matches "imap.changedflags" "*" { set "changed" "${1}"; }
fileinto :copy :create "Run/${changed}";
if allof(environment :contains "imap.changedflags" "\\Flagged",
         environment :contains "imap.changedflags" "$Label1") { addflag "$OneEvent"; }
""")
    m = env.session("two")
    try:
        append(m, "INBOX")
        select(m, "INBOX")
        ok(m.uid("STORE", "1", "+FLAGS", r"(\Flagged $Label1)"))
    finally:
        m.logout()
    runs = [f for f in env.folders("two") if f.startswith("Run/")]
    assert len(runs) == 1, runs
    assert env.flags("two") == [{"\\Flagged", "$Label1", "$OneEvent"}]


def test_keyword_changedflags(env):
    env.script("kw", "flag", r"""require ["imap4flags", "environment"];
if environment :is "imap.changedflags" "$Todo" {
  if hasflag "$Todo" { addflag "$SawTodo"; } else { addflag "$SawUntodo"; }
}
""")
    m = env.session("kw")
    try:
        append(m, "INBOX", r"(\Seen)")
        select(m, "INBOX")
        ok(m.uid("STORE", "1", "+FLAGS", r"($Todo)"))
        ok(m.uid("STORE", "1", "-FLAGS", r"($Todo)"))
    finally:
        m.logout()
    assert env.flags("kw") == [{"\\Seen", "$SawTodo", "$SawUntodo"}]


def test_environment_of_events(env):
    script = r'''require ["fileinto", "mailbox", "variables", "environment"];
if environment :matches "imap.cause" "*" { set "cause" "${1}"; }
if environment :matches "imap.mailbox" "*" { set "box" "${1}"; }
if environment :matches "imap.user" "*" { set "user" "${1}"; }
if environment :matches "location" "*" { set "loc" "${1}"; }
if environment :matches "phase" "*" { set "phase" "${1}"; }
if not environment :is "imap.cause" "FLAG" {
  if environment :matches "imap.changedflags" "?*" { set "phase" "has-changedflags"; }
}
if header :is "subject" "hello" {
  fileinto :create "Env/${user}/${cause}/${box}/${loc}-${phase}";
}
'''
    env.script("env", "all", script)
    m = env.session("env", create=["Work"])
    try:
        append(m, "Work")
        select(m, "Work")
        ok(m.uid("COPY", "1", "INBOX"))
        ok(m.uid("STORE", "1", "+FLAGS", r"(\Answered)"))
    finally:
        m.logout()
    assert env.folders("env") == [
        "Env", "Env/env", "Env/env/APPEND", "Env/env/APPEND/Work", "Env/env/APPEND/Work/MS-post",
        "Env/env/COPY", "Env/env/COPY/INBOX", "Env/env/COPY/INBOX/MS-post",
        "Env/env/FLAG", "Env/env/FLAG/Work", "Env/env/FLAG/Work/MS-post",
        "INBOX", "Work"]
    for f in ("APPEND/Work", "COPY/INBOX", "FLAG/Work"):
        assert len(env.dc.messages("env", "Env/env/%s/MS-post" % f)) == 1, f


def test_rule_changing_flags_and_copying_does_not_loop(env):
    # On every event of every mailbox: a flag change and a copy.  Were the
    # plugin's own copy an event, Loop/COPY would appear; were its flag
    # change one, Loop/FLAG would (and so on without end).
    env.script("loop", "all", r"""require ["imap4flags", "fileinto", "mailbox", "copy",
  "variables", "environment"];
if environment :matches "imap.cause" "*" { set "cause" "${1}"; }
addflag "$Touched";
fileinto :copy :create "Loop/${cause}";
""")
    m = env.session("loop")
    try:
        append(m, "INBOX")
        assert env.flags("loop") == [{"$Touched"}]
        assert env.folders("loop") == ["INBOX", "Loop", "Loop/APPEND"]
        select(m, "INBOX")
        ok(m.uid("STORE", "1", "+FLAGS", r"(\Seen)"))
    finally:
        m.logout()
    assert env.folders("loop") == ["INBOX", "Loop", "Loop/APPEND", "Loop/FLAG"]
    # Copies carry the variable's flags.
    assert env.flags("loop", "Loop/APPEND") == [{"$Touched"}]
    assert env.flags("loop", "Loop/FLAG") == [{"\\Seen", "$Touched"}]
    assert env.flags("loop") == [{"\\Seen", "$Touched"}]
    assert env.log_lines("loop") == ["copied to Loop/APPEND", "copied to Loop/FLAG"]


def test_fileinto_existing_mailbox(env):
    env.script("exist", "append", 'require "fileinto";\nfileinto "Existing";\n')
    m = env.session("exist", create=["Existing"])
    try:
        for i in (1, 2):
            try:
                assert append(m, "INBOX") == i
            except imaplib.IMAP4.abort as e:
                raise AssertionError("the imap process died: %s" % e)
    finally:
        dvc._close_imap(m)
    assert [(u, f) for u, f, _ in env.dc.messages("exist", "Existing")] == [(1, set()),
                                                                           (2, set())]
    assert env.flags("exist") == [set(), set()]
    assert env.log_lines("exist") == ["copied to Existing", "copied to Existing"]


# ---- what a rule may not do -------------------------------------------------------------

# (capability, command, reason); where the engine allows it, a keep with
# flags too, which would show on the message were the result carried out
# (reject and ereject conflict with any store).
DENIED = [
    (None, 'keep; redirect "x@example.net";',
     "line 3: redirect is not available at IMAP events"),
    ("reject", 'reject "no";', "line 3: reject is not available at IMAP events"),
    ("ereject", 'ereject "no";', "line 3: ereject is not available at IMAP events"),
    ("vnd.mailsift.tempfail", 'keep; tempfail "later";',
     "line 3: tempfail is not available at IMAP events"),
    ("vnd.mailsift.quarantine", 'keep; quarantine "held";',
     "line 3: quarantine is not available at IMAP events"),
    ("envelope", 'keep; if envelope :is "from" "x@example.com" { stop; }',
     "the envelope test is not available at IMAP events"),
]


def test_mta_actions_and_envelope_leave_message_as_it_is(env):
    path = env.dc.home("deny") / "append.sieve"
    m = env.session("deny")
    try:
        for i, (cap, command, _) in enumerate(DENIED):
            caps = ["imap4flags"] + ([cap] if cap else [])
            env.script("deny", "append", 'require [%s];\naddflag "$Never";\n%s\n'
                       % (", ".join('"%s"' % c for c in caps), command))
            assert append(m, "INBOX", r"(\Seen)") == i + 1
    finally:
        m.logout()
    assert env.flags("deny") == [{"\\Seen"}] * len(DENIED)
    assert env.folders("deny") == ["INBOX"]
    assert env.log_lines("deny") == ["%s: %s (message left as it is)" % (path, why)
                                     for _, _, why in DENIED]


def test_runtime_error_leaves_message_as_it_is(env):
    env.script("rt", "append", r'''require ["imap4flags", "fileinto", "mailbox", "regex",
  "variables"];
addflag "$Never";
set "re" "([";
if header :regex "subject" "${re}" { fileinto :create "Never"; }
''')
    m = env.session("rt")
    try:
        append(m, "INBOX", r"($Mine)")
    finally:
        m.logout()
    assert env.flags("rt") == [{"$Mine"}]
    assert env.folders("rt") == ["INBOX"]
    lines = env.log_lines("rt")
    assert len(lines) == 1 and re.fullmatch(
        r"%s: line 5: .* \(message left as it is\)" % re.escape(
            str(env.dc.home("rt") / "append.sieve")), lines[0]), lines


def test_missing_script_warned_once_per_session(env):
    """Rules whose script does not exist (this user has no scripts at
    all): one warning per rule and session, not one per message."""
    m = env.session("nosc")
    try:
        for _ in range(3):
            append(m, "INBOX")
    finally:
        m.logout()
    warned = [line for line in env.dc.log().splitlines()
              if line.split(" ", 3)[2].startswith("imap(nosc)<") and "no such script" in line]
    # Rules 2 and 7 match APPEND into INBOX.
    assert sorted(w.rsplit("imap rule ", 1)[1] for w in warned) == sorted(
        ["%s/append.sieve: no such script" % env.dc.home("nosc"),
         "%s/all.sieve: no such script" % env.dc.home("nosc")])
    assert len(env.flags("nosc")) == 3
