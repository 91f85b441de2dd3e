# SPDX-License-Identifier: MIT
"""The SMTP -> delivery hint (docs/mailsift-hint.7) end to end: the real
mailsift-milter inside a private Postfix (tests/milter/postfix.py) writes
signed Mailsift-Hint fields, Postfix delivers over LMTP into a private
Dovecot (dovecot.py) with the mailsift plugin, and the message lands in
the hinted folder with the hinted flags, seen over IMAP.  Hints crafted
here (HMAC-SHA256 in Python, checked against the manual's test vector)
and given straight to Dovecot's LMTP cover the delivery side's checks:
a wrong MAC, another recipient, an old hint, no key, ORCPT; the applied
hint stays in the stored copy, every other Mailsift-Hint field is
removed (exact stored bytes).

One Dovecot, one Postfix and one milter serve the module; each test has
users of its own.  The key file is shared: the milter and Dovecot's mail
processes run as the same account (mailsift-test)."""

import base64
import hashlib
import hmac
import os
import pwd
import re
import signal
import smtplib
import time
from pathlib import Path

import pytest

import dovecot as dvc
import postfix as pfx

SENDER = "sender@example.com"
DATE = r"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}"
MODULES = ("lib95_mailsift_plugin.so",)
KEY = b"k" * 8 + os.urandom(32)
MILTER_SCRIPT = """require ["fileinto", "imap4flags", "envelope"];
if envelope :localpart :is "to" ["hanna", "carl", "hugo"] {
  fileinto :flags ["\\\\Seen", "$Label1"] "Lists";
}
"""
USERS = {
    "hanna": {}, "carl": {}, "olaf": {}, "hugo": {"mailsift_user": "~/user.sieve"},
    "forge": {}, "other": {}, "old": {}, "short": {"mailsift_hint_max_age": "1h"},
    "apply": {}, "fonly": {}, "orcpt": {}, "twice": {},
    "nokey": None,    # no mailsift_hint_key
    "badkey": None,   # a key file open to its group
    "script": {"mailsift_user": "~/user.sieve"}, "edhint": {"mailsift_user": "~/user.sieve"},
}


# ---- hints ------------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_hint(key, rcpt, message_id, t=None, folder=None, flags=None):
    """A Mailsift-Hint field body as sift_hint_build writes it (one line)."""
    t = int(time.time()) if t is None else t
    f = b64url(folder.encode()) if folder is not None else ""
    data = "v=1\nrcpt=%s\nt=%d\nfolder=%s\nflags=%s\nmessage-id=%s\n" % (
        rcpt, t, f, flags or "", message_id)
    mac = base64.b64encode(hmac.new(key, data.encode(), hashlib.sha256).digest()).decode()
    tags = ["v=1", "rcpt=<%s>" % rcpt, "t=%d" % t]
    if folder is not None:
        tags.append("folder=" + f)
    if flags:
        tags.append("flags=" + flags)
    return "; ".join(tags + ["mac=" + mac])


def hint_tags(value):
    return dict(item.strip().split("=", 1) for item in value.split(";"))


def verify_hint(value, key, message_id):
    """Whether a field body's MAC verifies (docs/mailsift-hint.7 section 2)."""
    tags = hint_tags(value)
    rebuilt = make_hint(key, tags["rcpt"][1:-1], message_id, int(tags["t"]),
                        base64.urlsafe_b64decode(tags["folder"] + "==").decode()
                        if "folder" in tags else None, tags.get("flags"))
    return hint_tags(rebuilt)["mac"] == tags["mac"]


def test_python_mac_matches_the_manual():
    # docs/mailsift-hint.7, section 8.
    value = make_hint(b"0123456789abcdef0123456789abcdef", "bob@example.org",
                      "<20261122.1234@mx.example.org>", 1763700000, "\u00dcnterlagen/2026",
                      "\\Seen $Label1")
    assert value == ("v=1; rcpt=<bob@example.org>; t=1763700000; folder=w5xudGVybGFnZW4vMjAyNg; "
                     "flags=\\Seen $Label1; mac=UM1Wh4c1eC4D/Ivbyku6v7LdTNbGSFlTgSV2tUoYwvM=")


# ---- helpers ----------------------------------------------------------------------------

def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def rcpt(user):
    return user + "@example.org"


def lmtp_prefix(session_id, address):
    """Dovecot LMTP's fields before a message for one recipient (regex)."""
    return (re.escape(b"Return-Path: <%s>\r\nDelivered-To: %s\r\n"
                      b"Received: from client.example ([127.0.0.1])\r\n"
                      b"\tby mx.example.org with LMTP\r\n\tid %s\r\n"
                      b"\t(envelope-from <%s>)\r\n\tfor <%s>; "
                      % (SENDER.encode(), address.encode(), session_id.encode(),
                         SENDER.encode(), address.encode()))
            + DATE.encode() + b"\r\n")


def assert_stored(raw, session_id, address, message):
    assert re.fullmatch(lmtp_prefix(session_id, address) + re.escape(crlf(message)), raw), raw


def message(mid, hints=(), subject="hinted"):
    """A message with these Mailsift-Hint field bodies after Subject."""
    head = "From: Jane <jane@example.com>\nTo: list@example.org\nSubject: %s\n" % subject
    head += "".join("Mailsift-Hint: %s\n" % h for h in hints)
    head += "Message-ID: %s\n" % mid
    return (head + "\nbody\n").encode()


def header_values(raw, name):
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    head = re.sub(r"\r\n[ \t]", " ", head)
    return [line.split(":", 1)[1].strip() for line in head.split("\r\n")
            if line.split(":", 1)[0].lower() == name.lower()]


def plugin_modules(plugin_dir, dest):
    dest.mkdir(parents=True, exist_ok=True)
    for f in MODULES:
        (dest / f).symlink_to(Path(plugin_dir) / f)
    return dest


def write_key(path, data=KEY, mode=0o600):
    """A key file owned by the account the milter and Dovecot's mail
    processes run as."""
    pw = pwd.getpwnam(dvc.MAIL_ACCOUNT)
    path.write_bytes(data)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    os.chmod(path, mode)
    return path


class Env:
    def __init__(self, dc, key_path, bad_key_path):
        self.dc = dc
        self.key_path = key_path
        self.bad_key_path = bad_key_path

    def one(self, user, msg, **kw):
        r = self.dc.deliver([rcpt(user)], msg, **kw)
        code, text = r[rcpt(user)]
        m = re.fullmatch(r"2\.0\.0 <%s> (\S+) Saved" % re.escape(rcpt(user)), text)
        assert code == 250 and m, r
        return m.group(1)

    def folders(self, user):
        return sorted(self.dc.folders(user))

    def log_lines(self, user):
        return [line.split(": mailsift: ", 1)[1] for line in self.dc.log().splitlines()
                if "lmtp(%s)<" % user in line and ": mailsift: " in line]


@pytest.fixture(scope="module")
def env(dovecot_ready, plugin_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("hint")
    keys = root / "keys"
    keys.mkdir()
    os.chmod(keys, 0o755)
    key_path = write_key(keys / "hint.key")
    bad_key_path = write_key(keys / "group-readable.key", mode=0o640)
    dc = dvc.PrivateDovecot(root / "dc", mail_plugins=["mailsift"],
                            mail_plugin_dir=plugin_modules(plugin_dir, root / "plugins"))
    # The key is a userdb field, so that one user can be without.
    for u, fields in USERS.items():
        fields = dict(fields or {})
        if u == "badkey":
            fields["mailsift_hint_key"] = str(bad_key_path)
        elif u != "nokey":
            fields["mailsift_hint_key"] = str(key_path)
        dc.add_user(u, extra_userdb_fields=fields)
    try:
        dc.start()
        yield Env(dc, key_path, bad_key_path)
    finally:
        dc.stop()


# ---- through the milter and Postfix ------------------------------------------------------

@pytest.fixture(scope="module")
def mta(env, tmp_path_factory):
    """Postfix with mailsift-milter (MILTER_SCRIPT, the module's key),
    delivering everything over LMTP to the module's Dovecot."""
    why = pfx.postfix_missing()
    if why is not None:
        pytest.skip(why)
    binary, why = pfx.milter_binary()
    if binary is None:
        pytest.skip(why)
    root = tmp_path_factory.mktemp("hint-mta")
    pf = pfx.PrivatePostfix(root / "pf", pfx.free_port(), extra_main_cf={
        "default_transport": "lmtp:inet:127.0.0.1:%d" % env.dc.lmtp_port,
        "lmtp_host_lookup": "native"})
    pf.milter = pf.milter_spec
    pf.setup()
    # postfix.py's master.cf has smtp only: the LMTP client is the same
    # program under the service name lmtp.
    with open(pf.config_dir / "master.cf", "a") as f:
        f.write("lmtp      unix  -       -       n       -       -       lmtp\n")
    milter = pfx.MailsiftMilter(root / "milter", MILTER_SCRIPT, pf.milter_socket, binary=binary,
                                config={"hint_key_file": str(env.key_path)})
    try:
        milter.start()
        pf.start()
        yield pf
    finally:
        pf.stop()
        if milter.alive():
            # libmilter notices SIGTERM only every 5 s.
            milter.kill(signal.SIGKILL)
        milter.stop()


def test_milter_hint_files_into_folder(env, mta):
    env.dc.create_folder("hanna", "Lists")
    env.dc.create_folder("hugo", "Lists")
    env.dc.write_home_file("hugo", "user.sieve", 'require ["fileinto", "mailbox"];\n'
                                                 'fileinto :create "Also";\n')
    mid = "<via-milter.%d@example.com>" % os.getpid()
    raw = ("From: Jane <jane@example.com>\r\nTo: list@example.org\r\nSubject: via milter\r\n"
           "Message-ID: %s\r\n\r\nbody\r\n" % mid)
    with smtplib.SMTP("127.0.0.1", mta.smtp_port, timeout=30) as s:
        refused = s.sendmail(SENDER, [rcpt("hanna"), rcpt("carl"), rcpt("hugo"),
                                      rcpt("olaf")], raw)
    assert refused == {}
    mta.wait_queue_empty(20)
    assert "status=sent (250 2.0.0 <hanna@example.org>" in mta.log, mta.log_tail()
    # hanna: the hint's folder and flags.
    (uid, flags, stored), = env.dc.messages("hanna", "Lists")
    assert flags == {"\\Seen", "$Label1"}
    assert env.dc.messages("hanna") == []
    # Only her own hint stays in her copy (carl's and hugo's are gone).
    hints = header_values(stored, "Mailsift-Hint")
    assert len(hints) == 1, stored
    assert hint_tags(hints[0])["rcpt"] == "<hanna@example.org>"
    assert hint_tags(hints[0])["flags"] == "\\Seen $Label1"
    assert verify_hint(hints[0], KEY, mid)
    assert re.search(re.escape(b"\r\nSubject: via milter\r\nMessage-ID: %s\r\n" % mid.encode())
                     + rb"Date: [^\r\n]+\r\n"
                     + re.escape(b"Mailsift-Hint: v=1; rcpt=<hanna@example.org>; t=")
                     + rb"\d+; folder=TGlzdHM;\r\n flags=\\Seen \$Label1; mac=[A-Za-z0-9+/]{43}="
                     + re.escape(b"\r\n\r\nbody\r\n") + rb"\Z", stored), stored
    # carl has no Lists: the hinted store fails, the message is kept.
    assert env.folders("carl") == ["INBOX"]
    (uid, flags, stored), = env.dc.messages("carl")
    assert flags == set()
    assert [hint_tags(h)["rcpt"] for h in header_values(stored, "Mailsift-Hint")] == [
        "<carl@example.org>"]
    # hugo: the hint is a first script; his own runs on top.
    assert env.folders("hugo") == ["Also", "INBOX", "Lists"]
    assert [f for _, f, _ in env.dc.messages("hugo", "Lists")] == [{"\\Seen", "$Label1"}]
    assert [f for _, f, _ in env.dc.messages("hugo", "Also")] == [set()]
    assert env.dc.messages("hugo") == []
    # olaf: no hint for him, the others' are removed.
    (uid, flags, stored), = env.dc.messages("olaf")
    assert header_values(stored, "Mailsift-Hint") == []
    assert ("Mailsift-Hint for <hanna@example.org> applied: fileinto Lists flags "
            "\\Seen $Label1") in env.log_lines("hanna")


# ---- crafted hints over LMTP -------------------------------------------------------------

def test_valid_hint_applied_and_kept_others_removed(env):
    env.dc.create_folder("apply", "Projekte/Ärger")
    mid = "<apply@example.com>"
    good = make_hint(KEY, rcpt("apply"), mid, folder="Projekte/Ärger", flags="\\Flagged $Work")
    forged = make_hint(b"x" * 32, rcpt("apply"), mid, folder="Spam")
    foreign = make_hint(KEY, "bob@example.org", mid, folder="Bob")
    msg = message(mid, [forged, good, foreign])
    sid = env.one("apply", msg)
    assert env.folders("apply") == ["INBOX", "Projekte", "Projekte/Ärger"]
    (uid, flags, raw), = env.dc.messages("apply", "Projekte/Ärger")
    assert flags == {"\\Flagged", "$Work"}
    assert_stored(raw, sid, rcpt("apply"), message(mid, [good]))
    assert env.dc.messages("apply") == []


def test_forged_hint_ignored_and_removed(env):
    env.dc.create_folder("forge", "Lists")
    mid = "<forged@example.com>"
    good = make_hint(KEY, rcpt("forge"), mid, folder="Lists")
    tags = hint_tags(good)
    mac = base64.b64decode(tags["mac"])
    bad_mac = base64.b64encode(bytes([mac[0] ^ 1]) + mac[1:]).decode()
    forged = good.replace(tags["mac"], bad_mac)
    # The MAC of another message, and a field that does not parse.
    other_mid = make_hint(KEY, rcpt("forge"), "<other@example.com>", folder="Lists")
    garbage = "v=1; rcpt=<forge@example.org>; folder=TGlzdHM"
    sid = env.one("forge", message(mid, [forged, other_mid, garbage]))
    assert env.dc.messages("forge", "Lists") == []
    (uid, flags, raw), = env.dc.messages("forge")
    assert flags == set()
    assert_stored(raw, sid, rcpt("forge"), message(mid))
    lines = env.log_lines("forge")
    assert len(lines) == 3 and all(line.startswith("Mailsift-Hint ignored: ")
                                   for line in lines), lines


def test_hint_for_another_recipient_ignored(env):
    env.dc.create_folder("other", "Lists")
    mid = "<for-bob@example.com>"
    hint = make_hint(KEY, "bob@example.org", mid, folder="Lists", flags="\\Seen")
    sid = env.one("other", message(mid, [hint]))
    assert env.dc.messages("other", "Lists") == []
    (uid, flags, raw), = env.dc.messages("other")
    assert flags == set()
    assert_stored(raw, sid, rcpt("other"), message(mid))


def test_old_hint_ignored(env):
    env.dc.create_folder("old", "Lists")
    now = int(time.time())
    week = 7 * 86400
    # The default maximum age is 7 days.
    for n, (t, applied) in enumerate([(now - week - 120, False), (now - week + 120, True),
                                      (now + 600, False)]):
        mid = "<age%d@example.com>" % n
        hint = make_hint(KEY, rcpt("old"), mid, t=t, folder="Lists")
        sid = env.one("old", message(mid, [hint]))
        box = "Lists" if applied else "INBOX"
        raw = env.dc.messages("old", box)[-1][2]
        assert_stored(raw, sid, rcpt("old"), message(mid, [hint] if applied else []))
    assert len(env.dc.messages("old", "Lists")) == 1
    assert len(env.dc.messages("old")) == 2
    lines = env.log_lines("old")
    assert len([x for x in lines if x.startswith("Mailsift-Hint ignored: ")]) == 2, lines


def test_max_age_setting(env):
    env.dc.create_folder("short", "Lists")
    now = int(time.time())
    for mid, t in (("<2h@example.com>", now - 7200), ("<30m@example.com>", now - 1800)):
        env.one("short", message(mid, [make_hint(KEY, rcpt("short"), mid, t=t,
                                                 folder="Lists")]))
    assert [header_values(raw, "Message-ID") for _, _, raw in
            env.dc.messages("short", "Lists")] == [["<30m@example.com>"]]
    assert [header_values(raw, "Message-ID") for _, _, raw in
            env.dc.messages("short")] == [["<2h@example.com>"]]


def test_flags_only_hint(env):
    mid = "<flags-only@example.com>"
    hint = make_hint(KEY, rcpt("fonly"), mid, flags="\\Answered $Label2")
    sid = env.one("fonly", message(mid, [hint]))
    (uid, flags, raw), = env.dc.messages("fonly")
    assert flags == {"\\Answered", "$Label2"}
    assert_stored(raw, sid, rcpt("fonly"), message(mid, [hint]))
    assert env.folders("fonly") == ["INBOX"]


def test_two_hints_two_folders(env):
    """An SMTP-time script with two fileinto actions gives two hints: both
    are stores, both fields stay, a forged third one is removed."""
    env.dc.create_folder("twice", "Lists")
    env.dc.create_folder("twice", "Archive")
    mid = "<twice@example.com>"
    first = make_hint(KEY, rcpt("twice"), mid, folder="Lists")
    second = make_hint(KEY, rcpt("twice"), mid, folder="Archive", flags="\\Seen")
    forged = make_hint(b"y" * 32, rcpt("twice"), mid, folder="Spam")
    sid = env.one("twice", message(mid, [first, forged, second]))
    (_, lflags, lraw), = env.dc.messages("twice", "Lists")
    (_, aflags, araw), = env.dc.messages("twice", "Archive")
    assert (lflags, aflags) == (set(), {"\\Seen"})
    assert_stored(lraw, sid, rcpt("twice"), message(mid, [first, second]))
    assert env.dc.messages("twice") == []


def test_hint_for_original_recipient(env):
    env.dc.create_folder("orcpt", "Lists")
    mid = "<orcpt@example.com>"
    hint = make_hint(KEY, "alias@example.net", mid, folder="Lists")
    sid = env.one("orcpt", message(mid, [hint]),
                  rcpt_options=["ORCPT=rfc822;alias@example.net"])
    (uid, flags, raw), = env.dc.messages("orcpt", "Lists")
    assert_stored(raw, sid, rcpt("orcpt"), message(mid, [hint]))
    assert env.dc.messages("orcpt") == []


def test_no_key_hints_ignored_and_removed(env):
    env.dc.create_folder("nokey", "Lists")
    mid = "<nokey@example.com>"
    hint = make_hint(KEY, rcpt("nokey"), mid, folder="Lists")
    sid = env.one("nokey", message(mid, [hint]))
    assert env.dc.messages("nokey", "Lists") == []
    (uid, flags, raw), = env.dc.messages("nokey")
    assert_stored(raw, sid, rcpt("nokey"), message(mid))
    assert env.log_lines("nokey") == []


def test_group_readable_key_refused(env):
    env.dc.create_folder("badkey", "Lists")
    mid = "<badkey@example.com>"
    hint = make_hint(KEY, rcpt("badkey"), mid, folder="Lists")
    sid = env.one("badkey", message(mid, [hint]))
    assert env.dc.messages("badkey", "Lists") == []
    (uid, flags, raw), = env.dc.messages("badkey")
    assert_stored(raw, sid, rcpt("badkey"), message(mid))
    lines = env.log_lines("badkey")
    assert len(lines) == 1 and lines[0].startswith(
        "mailsift_hint_key %s: " % env.bad_key_path) and lines[0].endswith(
        " (hints ignored)"), lines


def test_hint_then_user_script(env):
    env.dc.create_folder("script", "Lists")
    env.dc.write_home_file("script", "user.sieve", r"""require ["imap4flags", "fileinto"];
addflag "$Script";
if header :contains "Mailsift-Hint" "rcpt=<script@example.org>" { fileinto "Lists"; }
""")
    mid = "<with-script@example.com>"
    hint = make_hint(KEY, rcpt("script"), mid, folder="Lists", flags="\\Seen")
    sid = env.one("script", message(mid, [hint]))
    # The script's fileinto "Lists" is the hint's store again (one copy,
    # the hint's flags); the hint cancelled the implicit keep, so the
    # script's flags have nowhere to go.
    assert env.folders("script") == ["INBOX", "Lists"]
    (uid, flags, raw), = env.dc.messages("script", "Lists")
    assert flags == {"\\Seen"}
    assert_stored(raw, sid, rcpt("script"), message(mid, [hint]))
    assert env.dc.messages("script") == []


def test_applied_hint_stays_when_script_edits_header(env):
    env.dc.create_folder("edhint", "Lists")
    env.dc.write_home_file("edhint", "user.sieve", 'require "editheader";\n'
                                                   'addheader "X-Script" "ran";\n')
    mid = "<edhint@example.com>"
    hint = make_hint(KEY, rcpt("edhint"), mid, folder="Lists")
    other = make_hint(KEY, "bob@example.org", mid, folder="Bob")
    sid = env.one("edhint", message(mid, [other, hint]))
    (uid, flags, raw), = env.dc.messages("edhint", "Lists")
    assert re.fullmatch(re.escape(b"X-Script: ran\r\n") + lmtp_prefix(sid, rcpt("edhint"))
                        + re.escape(crlf(message(mid, [hint]))), raw), raw
