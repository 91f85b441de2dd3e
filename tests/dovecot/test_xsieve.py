# SPDX-License-Identifier: MIT
"""The X-SIEVE search key of lib95_imap_mailsift_plugin.so (plugin
imap_mailsift, loaded on its own) in a real private Dovecot
(dovecot.py), spoken to over raw IMAP with exact responses: SEARCH
X-SIEVE "<sieve test>" alone and with every other key (NOT, OR,
sequence sets, UID, BODY/TEXT, INTHREAD), UID SEARCH, ESEARCH, SEARCHRES
($), SORT, THREAD, CONTEXT=SEARCH updates, CHARSET, literals; the tests
of real use (regex, address parts, decoded bodies and encoded words,
numeric header values, subaddress, date, index, variables' string);
every refusal (BAD: does not compile, more than one test, a test that
depends on more than the message, too long) and failure (NO [LIMIT]:
regex steps, mailsift_search_cpu_time); capabilities (also with
imap_capability = +SEARCH=X-SIEVE, before login); an expunge behind
Dovecot's back, pipelining, two connections at once, mail prefetching,
doveadm, the index cache.  Ported from the prototype's suite
(/work/notes/xsieve/test_proto.py), with real Sieve tests.

One Dovecot instance (mail_debug on, for the plugin's count of tests
run) serves the module, each test with users of its own; a second one
checks imap_capability and mail_prefetch_count = 20.

Run (as root, the plugin built; MAILSIFT_DOVECOT_PLUGIN_DIR may name the
directory of lib95_imap_mailsift_plugin.so):
    make -j2 -C _build/lead imap-plugin/lib95_imap_mailsift_plugin.la
    python3 -m pytest -q tests/dovecot/test_xsieve.py

RawImap, lit(), quote() and prepare() are shared with test_filter.py."""

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

import dovecot as dvc

REPO = Path(__file__).resolve().parents[2]
MODULE = "lib95_imap_mailsift_plugin.so"
TIMING = re.compile(r" \(\d+\.\d+ \+ \d+\.\d+(?: \+ \d+\.\d+)? secs\)")


# ---- a raw IMAP client -------------------------------------------------------------------

def lit(data):
    """A LITERAL+ argument (bytes) for RawImap.cmd."""
    if isinstance(data, str):
        data = data.encode()
    return b"{%d+}\r\n" % len(data) + data


def quote(text):
    """An IMAP quoted string (str)."""
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def xs(test):
    """`X-SIEVE <quoted test>` (str)."""
    return "X-SIEVE " + quote(test)


class RawImap:
    """A raw IMAP connection on 127.0.0.1:port.  cmd() sends
    `TAG COMMAND\\r\\n` (COMMAND as str or bytes; literals made with lit()
    go as LITERAL+) and reads until the tagged reply: (untagged responses,
    tagged reply), str, the tag and Dovecot's timing suffix
    ("(0.001 + 0.000 secs)") taken off.  A response that carries a
    literal is one str: `... {44}\\r\\n<the 44 bytes>rest`.  rcvbuf sets
    a small SO_RCVBUF before connecting (a slow reader)."""

    def __init__(self, port, timeout=30, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buf = b""
        self.n = 0
        self.tag = None
        self.greeting = self.readline()

    @classmethod
    def login(cls, dc, user, password="pw", **kw):
        c = cls(dc.imap_port, **kw)
        untagged, tagged = c.cmd("LOGIN %s %s" % (quote(user), quote(password)))
        assert tagged.startswith("OK "), (untagged, tagged)
        c.login_reply = tagged
        return c

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def readline(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        m = re.search(rb"\{(\d+)\}$", line)
        if m:
            n = int(m.group(1))
            while len(self.buf) < n:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n:]
            rest = self.readline()
            return line.decode("utf-8", "surrogateescape") + "\r\n" + \
                data.decode("utf-8", "surrogateescape") + rest
        return line.decode("utf-8", "surrogateescape")

    def send(self, command):
        self.n += 1
        self.tag = "t%d" % self.n
        if isinstance(command, str):
            command = command.encode()
        self.sock.sendall(self.tag.encode() + b" " + command + b"\r\n")
        return self.tag

    def wait(self, tag):
        untagged = []
        while True:
            line = self.readline()
            if line.startswith(tag + " "):
                return untagged, TIMING.sub("", line[len(tag) + 1:])
            untagged.append(line)

    def wait_all(self, tags):
        """Reads until every tag of tags has its tagged reply: (untagged
        responses, {tag: tagged reply})."""
        untagged, tagged = [], {}
        while len(tagged) < len(tags):
            line = self.readline()
            tag, _, rest = line.partition(" ")
            if tag in tags:
                tagged[tag] = TIMING.sub("", rest)
            else:
                untagged.append(line)
        return untagged, tagged

    def cmd(self, command):
        return self.wait(self.send(command))

    def ok(self, command):
        untagged, tagged = self.cmd(command)
        assert tagged.startswith("OK "), (command, untagged, tagged)
        return untagged

    def search(self, command):
        """The * SEARCH / * SORT / * THREAD / * ESEARCH lines and the
        tagged reply."""
        untagged, tagged = self.cmd(command)
        return [x for x in untagged
                if re.match(r"\* (SEARCH|SORT|THREAD|ESEARCH)\b", x)], tagged

    def close(self):
        try:
            self.sock.sendall(b"z LOGOUT\r\n")
        except OSError:
            pass
        self.sock.close()


def prepare(dc, user, folders):
    """Fills mailboxes: {folder: [message bytes or (flags, bytes)]}
    appended (MULTIAPPEND, folders other than INBOX created), then each is
    selected once so that no later session sees \\Recent."""
    c = RawImap.login(dc, user)
    try:
        for folder, msgs in folders.items():
            if folder != "INBOX":
                c.ok("CREATE " + quote(folder))
            parts = []
            for m in msgs:
                flags, data = m if isinstance(m, tuple) else ("", m)
                parts.append((("(%s) " % flags) if flags else "").encode() + lit(data))
            if parts:
                c.ok(b"APPEND " + quote(folder).encode() + b" " + b" ".join(parts))
            c.ok("SELECT " + quote(folder))
    finally:
        c.close()


def find_plugin_dir(need):
    """The directory with every module of need: $MAILSIFT_DOVECOT_PLUGIN_DIR,
    else whichever of _build/check and _build/lead (imap-plugin/.libs) was
    built last; skips when none has them."""
    env = os.environ.get("MAILSIFT_DOVECOT_PLUGIN_DIR")
    cands = [Path(env)] if env else dvc.newest_first(
        [REPO / "_build" / b / "imap-plugin" / ".libs" for b in ("check", "lead")], need[0])
    for d in cands:
        if all((d / f).is_file() for f in need):
            return d
    pytest.skip("%s not built in %s" % (", ".join(need), " or ".join(map(str, cands))))


def plugin_modules(src, dest, need):
    """dest with symlinks to only the modules under test."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in need:
        (dest / f).symlink_to(src / f)
    return dest


def log_problems(dc):
    return [line for line in dc.log().splitlines()
            if re.search(r"Panic|Fatal|Error:|assert|Internal error", line)]


# ---- test data ---------------------------------------------------------------------------

FOO = xs('header :contains "subject" "foo"')
BAR = xs('header :contains "subject" "bar"')

# (subject, from) of messages 1..10; FOO matches 1 3 5 8 10, BAR 2 3 6 10.
MSGS = [
    ("Hello foo", "alice@example.com"),               # 1  foo
    ("bar only", "bob@example.com"),                  # 2  bar, bob
    ("[ticket-1] FOO and bar", "alice@example.com"),  # 3  foo bar
    ("nothing here", "alice@example.com"),            # 4
    ("food for thought", "alice@example.com"),        # 5  foo
    ("Barista", "carol@example.com"),                 # 6  bar
    ("unrelated", "bob@example.com"),                 # 7  bob
    ("FOO", "alice@example.com"),                     # 8  foo
    ("random", "bob@example.com"),                    # 9  bob
    ("bar foo bar", "carol@example.com"),             # 10 foo bar
]


def message(subject, sender, n, body=None):
    return ("From: %s\r\nTo: user@example.org\r\nSubject: %s\r\n"
            "Date: Mon, %d Jan 2024 10:00:00 +0000\r\nMessage-ID: <m%d@example.com>\r\n"
            "\r\n%s" % (sender, subject, (n % 28) + 1, n,
                        body or ("body of message %d\r\n" % n) * 20)).encode()


def msgs_data():
    return [message(s, f, i) for i, (s, f) in enumerate(MSGS, 1)]


USERS = {
    "main": {}, "upd": {}, "race": {}, "conc": {}, "real": {},
    "lim": {"mailsift_limit_regex_match": "1000"},
    "cpu": {"mailsift_search_cpu_time": "1"},
}


class Env:
    def __init__(self, dc):
        self.dc = dc

    def session(self, user, folder="INBOX", **kw):
        c = RawImap.login(self.dc, user, **kw)
        if folder:
            c.ok("SELECT " + quote(folder))
        return c

    def _evaluations(self, user):
        lines = [line for line in self.dc.log().splitlines()
                 if " imap(%s)<" % user in line and ": mailsift: X-SIEVE on " in line]
        return [int(re.search(r": (\d+) tests run", x).group(1)) for x in lines]

    def evaluation_mark(self, user):
        """How many of the plugin's debug lines "X-SIEVE on BOX: N tests
        run" user's sessions have logged, once the log is quiet."""
        n = len(self._evaluations(user))
        while True:
            time.sleep(0.15)
            now = len(self._evaluations(user))
            if now == n:
                return n
            n = now

    def evaluations(self, user, mark, count):
        """The test counts of the first `count` searches after mark."""
        end = time.monotonic() + 5
        while len(self._evaluations(user)) < mark + count and time.monotonic() < end:
            time.sleep(0.02)
        return self._evaluations(user)[mark:]


@pytest.fixture(scope="module")
def env(dovecot_ready, tmp_path_factory):
    src = find_plugin_dir([MODULE])
    root = tmp_path_factory.mktemp("xsieve")
    dc = dvc.PrivateDovecot(root / "dc", mail_plugins=["imap_mailsift"],
                            mail_plugin_dir=plugin_modules(src, root / "plugins", [MODULE]),
                            settings={"mail_debug": "yes"})
    for u, fields in USERS.items():
        dc.add_user(u, extra_userdb_fields=fields)
    try:
        dc.start()
        # UID = sequence number + 1: a first message, expunged.
        prepare(dc, "main", {"INBOX": [message("throw away", "x@example.com", 0)] + msgs_data()})
        c = RawImap.login(dc, "main")
        c.ok("SELECT INBOX")
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        assert c.ok("EXPUNGE") == ["* 1 EXPUNGE"]
        c.close()
        yield Env(dc)
    finally:
        dc.stop()


@pytest.fixture
def main(env):
    c = env.session("main")
    yield c
    c.close()


# ---- capabilities --------------------------------------------------------------------------

def test_capabilities_after_login_only(env):
    c = RawImap(env.dc.imap_port)
    try:
        assert "X-SIEVE" not in c.greeting and "FILTER" not in c.greeting
        untagged, tagged = c.cmd("LOGIN main pw")
        caps = re.match(r"OK \[CAPABILITY ([^\]]*)\] Logged in$", tagged).group(1).split()
        assert caps.count("SEARCH=X-SIEVE") == 1 and caps.count("FILTER=SIEVE") == 1
        (line,), tagged = c.cmd("CAPABILITY")
        assert tagged == "OK Capability completed."
        assert line.split()[:2] == ["*", "CAPABILITY"]
        assert line.split().count("SEARCH=X-SIEVE") == 1
        assert line.split().count("FILTER=SIEVE") == 1
    finally:
        c.close()


# ---- X-SIEVE with the other keys ---------------------------------------------------------------

@pytest.mark.parametrize("command, expect", [
    ("SEARCH " + FOO, "* SEARCH 1 3 5 8 10"),
    ("UID SEARCH " + FOO, "* SEARCH 2 4 6 9 11"),
    ("SEARCH NOT " + FOO, "* SEARCH 2 4 6 7 9"),
    ('SEARCH OR %s FROM "bob"' % FOO, "* SEARCH 1 2 3 5 7 8 9 10"),
    ("SEARCH %s %s" % (FOO, BAR), "* SEARCH 3 10"),
    ("SEARCH 2:5 " + FOO, "* SEARCH 3 5"),
    ("SEARCH OR %s %s" % (FOO, BAR), "* SEARCH 1 2 3 5 6 8 10"),
    ('SEARCH NOT (%s OR %s FROM "bob")' % (FOO, BAR), "* SEARCH 1 2 4 5 6 7 8 9"),
    ('SEARCH (%s FROM "carol")' % BAR, "* SEARCH 6 10"),
    ('SEARCH %s SUBJECT "bar"' % FOO, "* SEARCH 3 10"),
    ('SEARCH %s NOT SUBJECT "bar"' % FOO, "* SEARCH 1 5 8"),
    ("SEARCH CHARSET UTF-8 " + FOO, "* SEARCH 1 3 5 8 10"),
    ("SEARCH INTHREAD REFERENCES " + FOO, "* SEARCH 1 3 5 8 10"),
    ("SEARCH UID 4:9 " + FOO, "* SEARCH 3 5 8"),
    ("SEARCH " + xs('header :contains "subject" "zzz-no-such"'), "* SEARCH"),
    ('SEARCH %s BODY "message 5"' % FOO, "* SEARCH 5"),
    ('SEARCH NOT %s BODY "of message"' % FOO, "* SEARCH 2 4 6 7 9"),
    ('SEARCH OR %s BODY "message 4"' % FOO, "* SEARCH 1 3 4 5 8 10"),
    ('SEARCH OR BODY "message 4" NOT %s' % FOO, "* SEARCH 2 4 6 7 9"),
    ('SEARCH %s TEXT "carol"' % BAR, "* SEARCH 6 10"),
    ("SEARCH X-SIEVE true", "* SEARCH 1 2 3 4 5 6 7 8 9 10"),
    ("SEARCH X-SIEVE false", "* SEARCH"),
    ("SEARCH 9:* X-SIEVE true", "* SEARCH 9 10"),
    (b"SEARCH X-SIEVE " + lit('header :contains "subject" "foo"'), "* SEARCH 1 3 5 8 10"),
    ("SEARCH " + xs('anyof (header :is "subject" "FOO", address :localpart :is "from" "carol")'),
     "* SEARCH 6 8 10"),
    ('SEARCH X-GUID "foo"', "* SEARCH"),
])
def test_search_combinations(main, command, expect):
    assert main.search(command) == ([expect], "OK Search completed.")


def test_evaluated_only_where_it_can_matter(env, main):
    """Dovecot narrows by sequence set and UID first; identical keys run
    once per message; the debug line counts the tests run."""
    mark = env.evaluation_mark("main")
    for command, expect in [("SEARCH 2:5 " + FOO, "* SEARCH 3 5"),
                            ("SEARCH %s %s" % (FOO, FOO), "* SEARCH 1 3 5 8 10"),
                            ("SEARCH UID 4:9 " + FOO, "* SEARCH 3 5 8"),
                            ("SEARCH %s %s" % (FOO, BAR), "* SEARCH 3 10")]:
        assert main.search(command) == ([expect], "OK Search completed.")
    # FOO on 10 messages, then BAR only on FOO's 5.
    assert env.evaluations("main", mark, 4) == [4, 10, 6, 15]


def test_esearch(main):
    untagged, tagged = main.search("SEARCH RETURN (COUNT MIN) " + FOO)
    assert (untagged, tagged) == (['* ESEARCH (TAG "%s") MIN 1 COUNT 5' % main.tag],
                                  "OK Search completed.")
    untagged, tagged = main.search("UID SEARCH RETURN (MIN MAX COUNT ALL) " + FOO)
    assert untagged == ['* ESEARCH (TAG "%s") UID MIN 2 MAX 11 ALL 2,4,6,9,11 COUNT 5'
                        % main.tag]
    untagged, tagged = main.search("SEARCH RETURN (COUNT ALL) " + xs("false"))
    assert untagged == ['* ESEARCH (TAG "%s") COUNT 0' % main.tag]


def test_searchres(main):
    assert main.cmd("SEARCH RETURN (SAVE) " + FOO) == ([], "OK Search completed.")
    assert main.cmd("FETCH $ (UID)") == (
        ["* 1 FETCH (UID 2)", "* 3 FETCH (UID 4)", "* 5 FETCH (UID 6)", "* 8 FETCH (UID 9)",
         "* 10 FETCH (UID 11)"], "OK Fetch completed.")
    assert main.search("SEARCH $ " + BAR) == (["* SEARCH 3 10"], "OK Search completed.")
    assert main.search("SEARCH OR $ " + BAR) == (["* SEARCH 1 2 3 5 6 8 10"],
                                                 "OK Search completed.")
    # Saved from X-SIEVE and used by another X-SIEVE search's SAVE.
    assert main.cmd("SEARCH RETURN (SAVE) $ " + BAR) == ([], "OK Search completed.")
    assert main.search("UID SEARCH $") == (["* SEARCH 4 11"], "OK Search completed.")


def test_sort_and_thread(main):
    assert main.search("SORT (SUBJECT) UTF-8 " + FOO) == (["* SORT 10 8 3 5 1"],
                                                           "OK Sort completed.")
    assert main.search("UID SORT (REVERSE DATE) UTF-8 " + BAR) == (["* SORT 11 7 4 3"],
                                                                   "OK Sort completed.")
    assert main.search("THREAD ORDEREDSUBJECT UTF-8 " + FOO) == (
        ["* THREAD (1)(3)(5)(8)(10)"], "OK Thread completed.")
    assert main.search("SORT RETURN (MIN COUNT) (SUBJECT) UTF-8 " + FOO) == (
        ['* ESEARCH (TAG "%s") MIN 10 COUNT 5' % main.tag], "OK Sort completed.")


def test_pipelined_searches(main):
    """Three searches sent at once (Dovecot may run them side by side:
    the untagged replies come in any order)."""
    tags = [main.send("SEARCH " + FOO), main.send("SEARCH " + BAR),
            main.send("UID SEARCH NOT " + FOO)]
    untagged, tagged = main.wait_all(tags)
    assert sorted(untagged) == ["* SEARCH 1 3 5 8 10", "* SEARCH 2 3 6 10",
                                "* SEARCH 3 5 7 8 10"]
    assert tagged == {t: "OK Search completed." for t in tags}


def test_no_cache_fields_for_the_key(env, main):
    main.search("SEARCH " + FOO)
    main.ok("NOOP")
    data = b""
    for d, _, files in os.walk(env.dc.maildir("main")):
        for f in files:
            if f.startswith("dovecot.index"):
                data += (Path(d) / f).read_bytes()
    assert data and b"x-sieve" not in data.lower()


def test_doveadm_search_does_not_know_the_key(env):
    """doveadm parses its query before it loads mail plugins (and
    imap_mailsift is an imap-only plugin): documented in
    mailsift-dovecot(7)."""
    r = env.dc.doveadm("search", "-u", "main", "mailbox", "INBOX", "x-sieve", "true",
                       check=False)
    assert r.returncode != 0 and "X-SIEVE" in r.stderr.upper(), (r.stdout, r.stderr)


# ---- CONTEXT=SEARCH, changes under the search --------------------------------------------------

def test_search_update_context(env):
    prepare(env.dc, "upd", {"INBOX": msgs_data()})
    c = env.session("upd")
    other = env.session("upd", folder=None)
    try:
        mark = env.evaluation_mark("upd")
        untagged, tagged = c.search("SEARCH RETURN (ALL UPDATE) " + FOO)
        tag = c.tag
        assert (untagged, tagged) == (['* ESEARCH (TAG "%s") ALL 1,3,5,8,10' % tag],
                                      "OK Search completed.")
        other.ok(b"APPEND INBOX " + lit(message("more FOO arrives", "dave@example.com", 11))
                 + b" " + lit(message("not matching", "dave@example.com", 12)))
        untagged = c.ok("NOOP")
        assert [x for x in untagged if "ESEARCH" in x] == [
            '* ESEARCH (TAG "%s") ADDTO (0 11)' % tag]
        # The search ran on 10 messages, its update only on the 2 new ones.
        assert env.evaluations("upd", mark, 2) == [10, 2]
        # A matching message expunged leaves the context.
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        assert c.ok("EXPUNGE") == ['* ESEARCH (TAG "%s") REMOVEFROM (0 1)' % tag,
                                   "* 1 EXPUNGE"]
        assert c.cmd('CANCELUPDATE "%s"' % tag) == ([], "OK Updates cancelled.")
        assert c.search("SEARCH " + FOO) == (["* SEARCH 2 4 7 9 10"], "OK Search completed.")
        assert c.search("UID SEARCH " + FOO) == (["* SEARCH 3 5 8 10 11"],
                                                 "OK Search completed.")
    finally:
        c.close()
        other.close()


def test_message_expunged_behind_dovecots_back(env):
    """A message file gone (another process expunged it): not a match, for
    NOT X-SIEVE either, and the reply says EXPUNGEISSUED."""
    prepare(env.dc, "race", {"INBOX": msgs_data()})
    c = env.session("race")
    try:
        removed = []
        for sub in ("cur", "new"):
            d = env.dc.maildir("race") / sub
            for f in os.listdir(d):
                if b"Subject: food for thought" in (d / f).read_bytes():
                    (d / f).unlink()
                    removed.append(f)
        assert len(removed) == 1
        assert c.search("SEARCH " + FOO) == (["* SEARCH 1 3 8 10"],
                                             "OK [EXPUNGEISSUED] Search completed.")
        assert c.search("SEARCH NOT " + FOO) == (["* SEARCH 2 4 6 7 9"],
                                                 "OK [EXPUNGEISSUED] Search completed.")
        assert "* 5 EXPUNGE" in c.ok("NOOP")
        assert c.search("SEARCH " + FOO) == (["* SEARCH 1 3 7 9"], "OK Search completed.")
    finally:
        c.close()


def test_two_connections_at_once(env):
    subjects = {"INBOX": ["foo inbox %d" % i if i % 5 == 0 else "other %d" % i
                          for i in range(1, 61)],
                "Other": ["foo other %d" % i if i % 3 == 0 else "plain %d" % i
                          for i in range(1, 61)]}
    prepare(env.dc, "conc", {box: [message(s, "bulk@example.com", i)
                                   for i, s in enumerate(subs, 1)]
                             for box, subs in subjects.items()})
    expect = {box: "* SEARCH " + " ".join(str(i) for i, s in enumerate(subs, 1) if "foo" in s)
              for box, subs in subjects.items()}
    results = {}

    def run(box):
        c = env.session("conc", box)
        try:
            results[box] = [c.search("SEARCH " + FOO) for _ in range(5)]
        finally:
            c.close()

    threads = [threading.Thread(target=run, args=(box,)) for box in subjects]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for box in subjects:
        assert results[box] == [([expect[box]], "OK Search completed.")] * 5


# ---- real uses ---------------------------------------------------------------------------------

REAL = [
    # 1
    b"Received: from relay2.example.net by mx.example.org\r\n"
    b"Received: from relay1.example.net by relay2.example.net\r\n"
    b"From: Help Desk <help@example.com>\r\nTo: user+lists@example.org\r\n"
    b"Subject: [ticket-42] printer broken\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n"
    b"X-Spam-Score: 7\r\n\r\nThe printer is broken.\r\n",
    # 2
    b"From: someone@sub.example.com\r\nTo: user@example.org\r\n"
    b"Subject: Re: [ticket-42] printer broken\r\nDate: Wed, 3 Jan 2024 10:00:00 +0000\r\n"
    b"X-Spam-Score: 3\r\n\r\nStill broken.\r\n",
    # 3: "Grüße aus Köln"
    b"From: y@example.org\r\nTo: user+family@example.org\r\n"
    b"Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\nDate: Sat, 6 Jan 2024 10:00:00 +0000\r\n"
    b"X-Spam-Score: 12\r\n\r\nHallo\r\n",
    # 4: "invoice" only once the body is decoded
    b"From: billing@example.com\r\nTo: user@example.org\r\nSubject: monthly statement\r\n"
    b"Date: Thu, 4 Jan 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
    b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\nYour inv=\r\noice is attached.\r\n"
    b"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b"PHA+WW91ciBiaWxsIGlzIGF0dGFjaGVkLjwvcD4=\r\n--b1--\r\n",
    # 5
    b"From: billing@example.net\r\nTo: user@example.org\r\nSubject: invoice\r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nX-Spam-Score: 5\r\n\r\nnothing here\r\n",
    # 6: an old one
    b"From: old@example.com\r\nTo: user@example.org\r\nSubject: from the archive\r\n"
    b"Date: Fri, 5 Jan 2018 10:00:00 +0000\r\nX-Spam-Score: 40\r\n\r\nold\r\n",
]


@pytest.fixture(scope="module")
def real(env):
    prepare(env.dc, "real", {"INBOX": REAL})
    c = env.session("real")
    yield c
    c.close()


@pytest.mark.parametrize("command, expect", [
    ("SEARCH " + xs(r'header :regex "subject" "^\\[ticket-[0-9]+\\]"'), "* SEARCH 1"),
    ("SEARCH " + xs(r'header :regex "subject" "\\[ticket-[0-9]+\\]"'), "* SEARCH 1 2"),
    ("SEARCH " + xs('address :domain :is "from" "example.com"'), "* SEARCH 1 4 6"),
    ("SEARCH " + xs('address :domain :matches "from" "*.example.com"'), "* SEARCH 2"),
    ("SEARCH " + xs('body :text :contains "invoice"'), "* SEARCH 4"),
    ("SEARCH " + xs('body :raw :contains "invoice"'), "* SEARCH"),
    ('SEARCH OR %s FROM billing' % xs('body :text :contains "invoice"'), "* SEARCH 4 5"),
    ("SEARCH " + xs('header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "5"'),
     "* SEARCH 1 3 5 6"),
    ("SEARCH " + xs('header :count "eq" :comparator "i;ascii-numeric" "received" "2"'),
     "* SEARCH 1"),
    ("SEARCH " + xs('address :detail :is "to" "lists"'), "* SEARCH 1"),
    ("SEARCH " + xs('address :user :is "to" "user"'), "* SEARCH 1 2 3 4 5 6"),
    ("SEARCH " + xs('date :value "lt" "date" "year" "2020"'), "* SEARCH 6"),
    ("SEARCH " + xs('date :is "date" "weekday" "3"'), "* SEARCH 2"),
    ("SEARCH " + xs('header :index 2 :contains "received" "relay1"'), "* SEARCH 1"),
    ("SEARCH " + xs('header :index 1 :contains "received" "relay1"'), "* SEARCH"),
    ("SEARCH " + xs('allof (header :matches "subject" "*ticket-*]*", string :is "${2}" "42")'),
     "* SEARCH 1 2"),
    ("SEARCH " + xs('not exists "x-spam-score"'), "* SEARCH 4"),
    ("SEARCH " + xs('size :over 400'), "* SEARCH 4"),
    ("SEARCH " + xs('header :contains "subject" "Grüße"'), "* SEARCH 3"),
    ("SEARCH " + xs('header :contains "subject" "Gr${unicode:fc}${hex:c3 9f}e"'), "* SEARCH 3"),
    # Encoded words are decoded before matching, also with a literal
    # argument and CHARSET UTF-8.
    (b"SEARCH CHARSET UTF-8 X-SIEVE " + lit('header :contains "subject" "aus Köln"'),
     "* SEARCH 3"),
    (b"SEARCH CHARSET ISO-8859-1 X-SIEVE " + lit(b'header :contains "subject" "K\xf6ln"'),
     "* SEARCH 3"),
    (b"SEARCH CHARSET UTF-8 SUBJECT " + lit("Köln"), "* SEARCH 3"),
])
def test_real_uses(real, command, expect):
    assert real.search(command) == ([expect], "OK Search completed.")


def test_sort_by_date_of_high_spam_scores(real):
    assert real.search("UID SORT (DATE) UTF-8 " + xs(
        'header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "5"')) == (
        ["* SORT 6 5 1 3"], "OK Sort completed.")


# ---- refused: BAD ------------------------------------------------------------------------------

BAD = "BAD Error in IMAP command SEARCH: "
REFUSED = ": only tests of the message itself can."


@pytest.mark.parametrize("command, tagged", [
    ('SEARCH X-SIEVE "frob"',
     BAD + "X-SIEVE: line 1, column 1: unknown test 'frob'."),
    ("SEARCH " + xs('header :frob "subject" "x"'),
     BAD + "X-SIEVE: line 1, column 8: unknown tag ':frob' for test 'header'."),
    ("SEARCH " + xs('header :is "subject"'),
     BAD + "X-SIEVE: line 1, column 1: 'header' expects 2 positional arguments, got 1."),
    ('SEARCH OR FROM "bob" X-SIEVE "frob"',
     BAD + "X-SIEVE: line 1, column 1: unknown test 'frob'."),
    ("SEARCH " + xs("true { stop; } if true"),
     BAD + "X-SIEVE: line 1, column 1: a single test is expected, not commands."),
    ("SEARCH " + xs('false { stop; } elsif true { discard; } else'),
     BAD + "X-SIEVE: line 1, column 1: a single test is expected, not commands."),
    ("SEARCH " + xs('envelope :is "from" "x@example.com"'),
     BAD + "X-SIEVE: the envelope test cannot select stored messages" + REFUSED),
    ("SEARCH " + xs('environment :is "location" "MS"'),
     BAD + "X-SIEVE: the environment test cannot select stored messages" + REFUSED),
    ("SEARCH " + xs('hasflag "\\\\Seen"'),
     BAD + "X-SIEVE: the hasflag test cannot select stored messages" + REFUSED),
    ("SEARCH " + xs('mailboxexists "INBOX"'),
     BAD + "X-SIEVE: the mailboxexists test cannot select stored messages" + REFUSED),
    ("SEARCH " + xs('currentdate :value "ge" "year" "2000"'),
     BAD + "X-SIEVE: the currentdate test cannot select stored messages" + REFUSED),
    ("SEARCH " + xs('not anyof (false, envelope :is "from" "x@example.com")'),
     BAD + "X-SIEVE: the envelope test cannot select stored messages" + REFUSED),
    (b"SEARCH X-SIEVE " + lit("true" + " " * 8189),
     BAD + "X-SIEVE: the test is longer than 8192 bytes."),
    ("SEARCH X-SIEVE",
     BAD + "Missing parameter for search key (for search key: X-SIEVE)."),
    ("SEARCH X-SIEVE (true)", BAD + "Unexpected ( (for search key: X-SIEVE)."),
    ("SEARCH X-SIEVE NIL", BAD + "X-SIEVE: line 1, column 1: unknown test 'NIL'."),
])
def test_refused_with_bad(main, command, tagged):
    assert main.cmd(command) == ([], tagged)


def test_longest_test_accepted(main):
    assert main.search(b"SEARCH X-SIEVE " + lit("true" + " " * 8188)) == (
        ["* SEARCH 1 2 3 4 5 6 7 8 9 10"], "OK Search completed.")


def test_empty_test_is_refused(main):
    untagged, tagged = main.cmd('SEARCH X-SIEVE ""')
    assert (untagged, tagged) == ([], BAD + "X-SIEVE: line 1, column 1: the test is empty.")


# ---- failures: NO ------------------------------------------------------------------------------

CATASTROPHIC = xs(r'header :regex "subject" "^(.*)*(.*)*[0-9]$"')


@pytest.fixture(scope="module")
def lim(env):
    prepare(env.dc, "lim", {"INBOX": [
        b"From: a@example.com\r\nSubject: digit 1\r\n\r\nx\r\n",
        b"From: a@example.com\r\nSubject: no digits here\r\n\r\nx\r\n",
        b"From: a@example.com\r\nSubject: digit 3\r\n\r\nx\r\n",
        b"From: a@example.com\r\nSubject: (unbalanced\r\n\r\nx\r\n"]})
    c = env.session("lim")
    yield c
    c.close()


def test_regex_limit_ends_the_search(lim):
    failed = "NO [LIMIT] X-SIEVE: UID 2: regex match limit exceeded."
    # Dovecot sends what it found before the failure, then the NO.
    assert lim.cmd("SEARCH " + CATASTROPHIC) == (["* SEARCH 1"], failed)
    assert lim.cmd("UID SEARCH NOT " + CATASTROPHIC) == ([], failed)
    assert lim.cmd("SEARCH RETURN (COUNT) " + CATASTROPHIC) == ([], failed)
    # Never run on message 2: no failure.
    assert lim.search("SEARCH 1,3 " + CATASTROPHIC) == (["* SEARCH 1 3"],
                                                        "OK Search completed.")
    # An OR decided by the sequence set does not run the test...
    assert lim.search("SEARCH 1:3 OR 2 NOT " + CATASTROPHIC) == (["* SEARCH 2"],
                                                                 "OK Search completed.")
    # ...but keys Dovecot decides from the message itself (SUBJECT) come
    # after the plugin's turn (mailsift-dovecot(7): put sequence sets,
    # UIDs and flags in the same search).
    assert lim.cmd("SEARCH OR SUBJECT digit NOT " + CATASTROPHIC) == (["* SEARCH 1"], failed)
    # A failed SAVE leaves $ empty.
    assert lim.cmd("SEARCH RETURN (SAVE) 1") == ([], "OK Search completed.")
    assert lim.cmd("SEARCH RETURN (SAVE) " + CATASTROPHIC) == ([], failed)
    assert lim.cmd("FETCH $ (UID)") == ([], "OK Fetch completed.")
    # The session goes on.
    assert lim.search("SEARCH X-SIEVE true") == (["* SEARCH 1 2 3 4"], "OK Search completed.")


def test_runtime_error_is_not_a_limit(lim):
    untagged, tagged = lim.cmd("SEARCH " + xs(
        'allof (header :matches "subject" "*", header :regex "subject" "${1}")'))
    assert untagged == ["* SEARCH 1 2 3"]
    assert tagged.startswith("NO ") and tagged.endswith(
        " X-SIEVE: UID 4: invalid regular expression: missing closing parenthesis at "
        'offset 11 (key "(unbalanced").'), tagged
    assert not tagged.startswith("NO [LIMIT]"), tagged


def test_cpu_time_limit(env):
    line = b"abcdefghij " * 90 + b"\r\n"
    prepare(env.dc, "cpu", {"INBOX": [b"From: a@example.com\r\nSubject: big\r\n\r\n"
                                      + line * 2000,
                                      b"From: a@example.com\r\nSubject: small\r\n\r\nx\r\n"]})
    c = env.session("cpu")
    try:
        heavy = "anyof (%s)" % ", ".join('body :text :contains "zz%d"' % i for i in range(40))
        assert c.cmd("SEARCH " + xs(heavy)) == (
            [], "NO [LIMIT] X-SIEVE: UID 1: time limit exceeded (1 ms).")
        assert c.search("SEARCH 2 " + xs(heavy)) == (["* SEARCH"], "OK Search completed.")
    finally:
        c.close()


def test_log_has_no_errors(env):
    assert log_problems(env.dc) == []


# ---- another instance: imap_capability, mail prefetching -----------------------------------------

def test_capability_setting_and_prefetch(dovecot_factory, tmp_path):
    src = find_plugin_dir([MODULE])
    dc = dovecot_factory(
        "variant", users=("pf",), mail_plugins=["imap_mailsift"],
        mail_plugin_dir=plugin_modules(src, tmp_path / "plugins", [MODULE]),
        settings={"imap_capability": "+SEARCH=X-SIEVE", "mail_prefetch_count": "20"})
    c = RawImap(dc.imap_port)
    try:
        # imap-login loads no mail plugins: the setting announces it.
        assert "SEARCH=X-SIEVE" in c.greeting.split()
        assert "FILTER=SIEVE" not in c.greeting
        c.cmd("LOGIN pf pw")
        (line,), tagged = c.cmd("CAPABILITY")
        assert line.split().count("SEARCH=X-SIEVE") == 1
        assert line.split().count("FILTER=SIEVE") == 1
    finally:
        c.close()
    # With prefetching, Dovecot finishes matches after the prefetch,
    # from the results the key set.
    prepare(dc, "pf", {"INBOX": msgs_data()})
    c = RawImap.login(dc, "pf")
    try:
        c.ok("SELECT INBOX")
        for command, expect in [
                ('SEARCH %s BODY "message 5"' % FOO, "* SEARCH 5"),
                ('SEARCH NOT %s BODY "of message"' % FOO, "* SEARCH 2 4 6 7 9"),
                ('SEARCH OR %s BODY "message 4"' % FOO, "* SEARCH 1 3 4 5 8 10"),
                ('SEARCH OR BODY "message 4" NOT %s' % FOO, "* SEARCH 2 4 6 7 9"),
                ("SEARCH " + FOO, "* SEARCH 1 3 5 8 10")]:
            assert c.search(command) == ([expect], "OK Search completed."), command
    finally:
        c.close()
    assert log_problems(dc) == []
