# SPDX-License-Identifier: MIT
"""A private Postfix instance, Postfix's smtp-sink and mailsift-milter, for
the integration tests (test_postfix.py), bench/milter and scripts/demo.

    sink = SmtpSink(free_port(), root / "sink").start()
    pf = PrivatePostfix(root / "pf", free_port(), sink_port=sink.port)
    pf.milter = pf.milter_spec        # or None: no milter
    pf.setup()                        # config and directories
    m = MailsiftMilter(root / "m", script_text, pf.milter_socket,
                       config={"dsn_submit": "smtp:127.0.0.1:%d" % pf.smtp_port})
    m.start(); pf.start()
    ... smtplib.SMTP("127.0.0.1", pf.smtp_port).sendmail(...) ...
    pf.wait_queue_empty(10); sink.messages()
    pf.stop(); m.stop(); sink.stop()

PrivatePostfix runs `postfix -c DIR` with everything of its own under
root_dir: config_directory (etc/), queue_directory (q/), data_directory
(q/data/) and maillog_file (maillog, written by postlogd); `postfix
start` makes the queue and data directories (post-install
create-missing) with Postfix's owners and modes.  It listens on
127.0.0.1:smtp_port only (master.cf has no port 25 and no other inet
service), accepts mail for any domain from loopback (mynetworks
127.0.0.0/8, no local domains) and relays everything to
[127.0.0.1]:sink_port.  Its master pid, lock files and sockets are in its
own directories, so it never meets a system Postfix, running or not.  It
must be started as root (Postfix's daemons drop to mail_owner = postfix).

Paths: pytest's temporary directories are not traversable by other users
(/tmp/pytest-of-root is 0700).  Postfix's daemons chdir into the queue
directory as root before dropping privileges, so everything they reach
after that is named relative to it: data_directory is "data" (master
opens its lock there as mail_owner) and the milter socket lives in
q/milter/, given to Postfix as `unix:milter/milter.sock`.  smtp-sink is
chrooted into its dump directory (-R) for the same reason.

Every process started here is stopped by its pid (master.pid, the
children of that master, the Popen objects), never by name.
"""

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import namedtuple
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

SBIN = ("/usr/sbin", "/usr/bin", "/usr/lib/postfix/sbin")
MILTER_ACCOUNT = "mailsift-test"


# ---- finding things ---------------------------------------------------------------

def find_program(name):
    """The path of a program (PATH, then the sbin directories), or None."""
    p = shutil.which(name)
    if p is not None:
        return p
    for d in SBIN:
        c = os.path.join(d, name)
        if os.access(c, os.X_OK):
            return c
    return None


def milter_binary():
    """mailsift-milter: $MAILSIFT_MILTER, else the check build, else the
    lead build of this checkout.  (path, None) or (None, why)."""
    env = os.environ.get("MAILSIFT_MILTER")
    if env:
        if os.access(env, os.X_OK):
            return env, None
        return None, "MAILSIFT_MILTER=%s is not an executable" % env
    for b in ("check", "lead"):
        c = REPO / "_build" / b / "smtp-milter" / "mailsift-milter"
        if os.access(c, os.X_OK):
            return str(c), None
    return None, ("no mailsift-milter: set MAILSIFT_MILTER or build "
                  "_build/check/smtp-milter/mailsift-milter")


def postfix_missing():
    """Why a private Postfix cannot run here, or None."""
    if os.geteuid() != 0:
        return "a private Postfix instance needs root"
    for prog in ("postfix", "postconf", "postqueue", "smtp-sink"):
        if find_program(prog) is None:
            return "%s is not installed (Debian package postfix)" % prog
    for user in ("postfix",):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return "no %s account (Debian package postfix)" % user
    return None


def ensure_account(name=MILTER_ACCOUNT):
    """As root, makes the unprivileged system account the milter runs as,
    as scripts/check does, unless it exists."""
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                    "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                    "--comment", "mailsift tests", name],
                   check=True, capture_output=True)


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout, proc=None):
    """Waits until 127.0.0.1:port accepts connections; False on timeout or
    when proc ended first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _start_time(pid):
    """Field 22 of /proc/PID/stat: tells a process from a later one with
    the same pid."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()[19]


def _children(pid):
    """The direct children of pid, with their start times."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out[int(d)] = fields[19]
    return out


def _kill_if_same(pid, start):
    if start is not None and _start_time(pid) == start:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _stop_popen(proc, sig=signal.SIGTERM, timeout=5):
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


# ---- smtp-sink ----------------------------------------------------------------------

SinkMessage = namedtuple("SinkMessage", "sender rcpts headers body raw path")
SinkMessage.__doc__ = """One transaction smtp-sink dumped: the envelope sender
(without <>, "" for the null sender), the recipients (RCPT TO addresses,
without <>, in order), the message's header fields as (name, value) with
the value unfolded and stripped, its body (bytes), the whole message as
received (bytes) and the dump file."""


def _split_header(block):
    """(name, value) pairs of a header block (bytes, LF line ends),
    values unfolded and stripped, decoded as Latin-1 so any byte
    survives."""
    fields = []
    for line in block.split(b"\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + " " + line.strip().decode("latin-1"))
            continue
        name, _, value = line.partition(b":")
        fields.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return fields


def _address_of(args):
    """The address of "<a@b> SIZE=1" or "<a@b> ORCPT=..." (smtp-sink's
    X-Mail-Args and X-Rcpt-Args; a FROM:/TO: prefix is skipped)."""
    rest = args.strip()
    if rest[:5].upper() == "FROM:":
        rest = rest[5:].strip()
    elif rest[:3].upper() == "TO:":
        rest = rest[3:].strip()
    if rest.startswith("<"):
        return rest[1:rest.index(">")] if ">" in rest else rest[1:]
    return rest.split()[0] if rest else ""


def parse_dump(data, path=None):
    """A SinkMessage from one smtp-sink -d file (bytes)."""
    data = data.replace(b"\r\n", b"\n")
    sender = None
    rcpts = []
    pos = 0
    # smtp-sink's own records, up to its three-line Received field.
    while pos < len(data):
        end = data.index(b"\n", pos)
        line = data[pos:end].decode("latin-1")
        pos = end + 1
        if line.startswith("X-Mail-Args:"):
            sender = _address_of(line[len("X-Mail-Args:"):].strip())
        elif line.startswith("X-Rcpt-Args:"):
            rcpts.append(_address_of(line[len("X-Rcpt-Args:"):].strip()))
        elif line.startswith("Received:"):
            while data[pos:pos + 1] in (b" ", b"\t"):
                pos = data.index(b"\n", pos) + 1
            break
    raw = data[pos:]
    # smtp-sink ends each dump with an empty line of its own.
    if raw.endswith(b"\n\n"):
        raw = raw[:-1]
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        head, body = raw, b""
    return SinkMessage(sender, rcpts, _split_header(head), body, raw, path)


class SmtpSink:
    """Postfix's smtp-sink on 127.0.0.1:port.  With dump_dir, every
    transaction is written to a file there (smtp-sink -d, chrooted into
    dump_dir, which becomes owned by the sink's user); messages() parses
    them.  With counter, smtp-sink -c reports how many messages it has
    received (.count, .wait_count()), for benchmarks."""

    def __init__(self, port, dump_dir=None, user="nobody", extra_args=(), backlog=100,
                 counter=False):
        self.port = port
        self.dump_dir = Path(dump_dir) if dump_dir is not None else None
        self.user = user
        self.extra_args = list(extra_args)
        self.backlog = backlog
        self.counter = counter
        self.proc = None
        self.output = None
        self.count = 0
        self.count_time = None  # time.monotonic() when .count last grew
        self._cond = threading.Condition()
        self._reader = None

    def start(self, timeout=10):
        cmd = [find_program("smtp-sink"), "-4", "-u", self.user]
        if self.dump_dir is not None:
            self.dump_dir.mkdir(parents=True, exist_ok=True)
            pw = pwd.getpwnam(self.user)
            os.chown(self.dump_dir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.dump_dir, 0o700)
            cmd += ["-R", str(self.dump_dir), "-d", "/%M."]
        if self.counter:
            cmd.append("-c")
        cmd += self.extra_args + ["127.0.0.1:%d" % self.port, str(self.backlog)]
        if self.counter:
            out = subprocess.PIPE
        elif self.dump_dir is None:
            out = self.output = open(os.devnull, "wb")
        else:
            out = self.output = open(self.dump_dir.parent / ("sink-%d.out" % self.port), "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT if out is not None else None)
        if self.counter:
            self._reader = threading.Thread(target=self._read_counter, daemon=True)
            self._reader.start()
        if not wait_port(self.port, timeout, self.proc):
            self.stop()
            raise RuntimeError("smtp-sink did not listen on 127.0.0.1:%d" % self.port)
        return self

    def _read_counter(self):
        # smtp-sink -c rewrites one line: "sess=N quit=N mesg=N\r".
        fd = self.proc.stdout.fileno()
        tail = b""
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            tail = (tail + chunk)[-256:]
            # The last complete record only.
            done = tail[:tail.rfind(b"\r") + 1]
            at = done.rfind(b"mesg=")
            if at < 0:
                continue
            digits = done[at + 5:].split(b"\r")[0].strip()
            if not digits.isdigit():
                continue
            n = int(digits)
            with self._cond:
                if n > self.count:
                    self.count = n
                    self.count_time = time.monotonic()
                    self._cond.notify_all()

    def wait_count(self, n, timeout):
        """Waits until the sink has received n messages in all; returns
        the time.monotonic() at which it saw the n-th, or None on timeout."""
        end = time.monotonic() + timeout
        with self._cond:
            while self.count < n:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, 0.5))
            return self.count_time

    def stop(self):
        _stop_popen(self.proc)
        if self._reader is not None:
            self._reader.join(5)
            self.proc.stdout.close()
            self._reader = None
        if self.output is not None:
            self.output.close()
            self.output = None

    def files(self):
        if self.dump_dir is None:
            return []
        return sorted(p for p in self.dump_dir.iterdir() if p.is_file())

    def messages(self):
        """Every dumped transaction, oldest first.  Call it once Postfix's
        queue is empty: a transaction in progress has a partial file."""
        files = self.files()
        files.sort(key=lambda p: p.stat().st_mtime_ns)
        return [parse_dump(p.read_bytes(), p) for p in files]

    def clear(self):
        for p in self.files():
            p.unlink()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---- Postfix ------------------------------------------------------------------------

MASTER_CF = """\
# A private instance: one SMTP listener on loopback, nothing chrooted.
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def main_cf_text(settings):
    return "".join("%s = %s\n" % (k, v) for k, v in settings.items())


class PrivatePostfix:
    """A Postfix instance of its own under root_dir (see the module's
    comment), listening on 127.0.0.1:smtp_port and relaying everything to
    [127.0.0.1]:sink_port.  milter: a Postfix milter spec for
    smtpd_milters (e.g. self.milter_spec), or None.  extra_main_cf: more
    main.cf settings, over the defaults."""

    def __init__(self, root_dir, smtp_port, milter=None, extra_main_cf={}, sink_port=None):
        self.root = Path(root_dir)
        self.smtp_port = smtp_port
        self.sink_port = sink_port
        self.config_dir = self.root / "etc"
        self.queue_dir = self.root / "q"
        self.data_dir = self.queue_dir / "data"
        self.maillog = self.root / "maillog"
        self.milter = milter
        self.extra = dict(extra_main_cf)
        self.started = False
        self._master = None  # (pid, start time)

    # The milter socket, in a directory Postfix's daemons reach relative
    # to their working directory (the queue directory).
    @property
    def milter_dir(self):
        return self.queue_dir / "milter"

    @property
    def milter_socket(self):
        """The path a milter should listen on."""
        return self.milter_dir / "milter.sock"

    @property
    def milter_spec(self):
        """milter_socket as Postfix's daemons name it."""
        return "unix:milter/milter.sock"

    def settings(self):
        s = {
            "compatibility_level": "3.6",
            "config_directory": str(self.config_dir),
            "queue_directory": str(self.queue_dir),
            # Relative to the queue directory, where master runs: it opens
            # its lock there as mail_owner, who may not be able to
            # traverse the parents of root_dir.
            "data_directory": "data",
            "meta_directory": "/etc/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "syslog_name": "postfix-mailsift-test",
            "maillog_file": str(self.maillog),
            "maillog_file_prefixes": str(self.root),
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "myhostname": "mx.test",
            "mydomain": "test",
            "myorigin": "$myhostname",
            "mydestination": "",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "mynetworks": "127.0.0.0/8",
            "mynetworks_style": "host",
            "relay_domains": "",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "smtpd_recipient_restrictions": "",
            "relayhost": "[127.0.0.1]:%d" % self.sink_port if self.sink_port else "",
            "smtp_dns_support_level": "disabled",
            "disable_dns_lookups": "yes",
            "smtpd_peername_lookup": "no",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "biff": "no",
            "append_dot_mydomain": "no",
            "smtpd_banner": "$myhostname ESMTP",
            "delay_warning_time": "0",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "in_flow_delay": "0",
            "smtpd_client_connection_count_limit": "0",
            "smtpd_client_connection_rate_limit": "0",
            "milter_default_action": "tempfail",
            "milter_protocol": "6",
            "milter_connect_macros": "j {daemon_name} v {client_addr} {client_name}",
            "milter_helo_macros": "{tls_version}",
            "milter_mail_macros": "i {auth_authen} {auth_type} {mail_addr} {tls_version}",
            "milter_rcpt_macros": "i {rcpt_addr}",
            "milter_end_of_data_macros": "i",
            "smtpd_milters": self.milter or "",
            "non_smtpd_milters": "",
        }
        s.update(self.extra)
        return s

    def _run(self, *args, check=True, timeout=60):
        r = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError("%s: exit %d\n%s%s\n--- maillog ---\n%s" % (
                " ".join(args), r.returncode, r.stdout, r.stderr, self.log))
        return r

    def setup(self):
        """Writes the configuration and makes the directories."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_dir.mkdir(exist_ok=True)
        os.chmod(self.config_dir, 0o755)
        (self.config_dir / "main.cf").write_text(main_cf_text(self.settings()))
        (self.config_dir / "master.cf").write_text(MASTER_CF.format(port=self.smtp_port))
        self.queue_dir.mkdir(exist_ok=True)
        os.chmod(self.queue_dir, 0o755)
        self.milter_dir.mkdir(exist_ok=True)
        os.chmod(self.milter_dir, 0o755)
        # The rest of the queue and the data directory are made by
        # Postfix's own post-install when `postfix start` runs.
        return self

    def check(self):
        """postfix -c DIR check: (exit status, output)."""
        r = self._run(find_program("postfix"), "-c", str(self.config_dir), "check",
                      check=False)
        return r.returncode, r.stdout + r.stderr

    def start(self, timeout=20):
        if not (self.config_dir / "main.cf").exists():
            self.setup()
        self._run(find_program("postfix"), "-c", str(self.config_dir), "start")
        self.started = True
        pid = self.master_pid(timeout=timeout)
        self._master = (pid, _start_time(pid))
        if not wait_port(self.smtp_port, timeout):
            raise RuntimeError("Postfix does not listen on 127.0.0.1:%d\n%s"
                               % (self.smtp_port, self.log))
        return self

    def master_pid(self, timeout=10):
        path = self.queue_dir / "pid" / "master.pid"
        end = time.monotonic() + timeout
        while True:
            try:
                pid = int(path.read_text().split()[0])
                if _pid_alive(pid):
                    return pid
            except (OSError, ValueError, IndexError):
                pass
            if time.monotonic() > end:
                raise RuntimeError("no live master pid in %s\n%s" % (path, self.log))
            time.sleep(0.05)

    def stop(self, timeout=10):
        """postfix stop; then whatever of this instance is left (its master
        and the master's children, by pid) is killed."""
        if not self.started:
            return
        self.started = False
        children = {}
        if self._master is not None:
            pid, start = self._master
            if _start_time(pid) == start:
                children = _children(pid)
        self._run(find_program("postfix"), "-c", str(self.config_dir), "stop", check=False)
        if self._master is not None:
            pid, start = self._master
            end = time.monotonic() + timeout
            while _start_time(pid) == start and time.monotonic() < end:
                time.sleep(0.05)
            _kill_if_same(pid, start)
            # Children exit when their master does; give them a moment.
            end = time.monotonic() + 2
            while time.monotonic() < end and any(
                    _start_time(c) == s for c, s in children.items()):
                time.sleep(0.05)
            for c, s in children.items():
                _kill_if_same(c, s)
        self._master = None

    def reload(self):
        (self.config_dir / "main.cf").write_text(main_cf_text(self.settings()))
        self._run(find_program("postfix"), "-c", str(self.config_dir), "reload")

    def postconf(self, *args):
        """postconf -c DIR ARGS...: its standard output."""
        return self._run(find_program("postconf"), "-c", str(self.config_dir), *args).stdout

    def flush(self):
        self._run(find_program("postqueue"), "-c", str(self.config_dir), "-f")

    def queue(self):
        """postqueue -j: one dict per queued message (queue_name,
        queue_id, sender, recipients...), the hold queue included."""
        out = self._run(find_program("postqueue"), "-c", str(self.config_dir), "-j").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def queue_files(self, names=("maildrop", "incoming", "active", "deferred", "hold")):
        """Queue files (paths) in the named queues, read from the disk."""
        out = []
        for name in names:
            d = self.queue_dir / name
            for dirpath, _, files in os.walk(d):
                out += [os.path.join(dirpath, f) for f in files]
        return out

    def wait_queue_empty(self, timeout=20, names=("maildrop", "incoming", "active", "deferred")):
        """Waits until no message is in the named queues (by default every
        queue but hold); raises on timeout with the log."""
        end = time.monotonic() + timeout
        while True:
            left = self.queue_files(names)
            if not left:
                return
            if time.monotonic() > end:
                raise TimeoutError("Postfix queue not empty after %ss: %s\n%s"
                                   % (timeout, left, self.log_tail()))
            time.sleep(0.05)

    def postsuper(self, *args):
        """postsuper -c DIR ARGS... (e.g. "-d", QUEUE_ID, or "-d", "ALL")."""
        return self._run(find_program("postsuper"), "-c", str(self.config_dir), *args).stdout

    def postcat(self, queue_id):
        """postcat -q ID: the queue file as text (envelope and content)."""
        return self._run(find_program("postcat"), "-c", str(self.config_dir), "-q",
                         queue_id).stdout

    @property
    def log(self):
        try:
            return self.maillog.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        return "\n".join(self.log.splitlines()[-lines:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---- mailsift-milter ------------------------------------------------------------------

class MailsiftMilter:
    """mailsift-milter in the foreground (-f, log on its standard error, in
    DIR/milter.log), as root dropping to mailsift-test, on a unix socket
    whose group is Postfix's (so smtpd, running as postfix, may connect).
    config: more `key = value` settings over the defaults written here."""

    def __init__(self, directory, script, socket_path, binary=None, config={},
                 user=MILTER_ACCOUNT, group="postfix"):
        self.dir = Path(directory)
        self.script_text = script
        self.socket_path = Path(socket_path)
        self.binary = binary or milter_binary()[0]
        self.user = user
        self.group = group
        self.extra = dict(config)
        self.proc = None
        self._log = None

    @property
    def config_path(self):
        return self.dir / "milter.conf"

    @property
    def script_path(self):
        return self.dir / "milter.sieve"

    @property
    def log_path(self):
        return self.dir / "milter.log"

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def write(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.script_path.write_text(self.script_text)
        os.chmod(self.script_path, 0o644)
        cfg = {
            "socket": "unix:%s" % self.socket_path,
            "group": self.group,
            "pidfile": "none",
            "script": str(self.script_path),
            "log_level": "debug",
            "timeout": "30",
        }
        cfg.update(self.extra)
        self.config_path.write_text("".join("%s = %s\n" % kv for kv in cfg.items()))
        os.chmod(self.config_path, 0o644)

    def check(self):
        """mailsift-milter -t: (exit status, output)."""
        self.write()
        r = subprocess.run([self.binary, "-t", "-c", str(self.config_path), "-u", self.user],
                           capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    def start(self, timeout=10):
        self.write()
        if self.socket_path.exists():
            self.socket_path.unlink()
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "-f", "-c", str(self.config_path), "-u", self.user],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("mailsift-milter exited with %d:\n%s"
                                   % (self.proc.returncode, self.log))
            if self._accepts():
                return self
            if time.monotonic() > end:
                self.stop()
                raise RuntimeError("mailsift-milter did not listen on %s:\n%s"
                                   % (self.socket_path, self.log))
            time.sleep(0.02)

    def _accepts(self):
        if not self.socket_path.exists():
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(str(self.socket_path))
                return True
            except OSError:
                return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        """Sends sig to the milter and waits for it to end."""
        self.proc.send_signal(sig)
        self.proc.wait(timeout=10)

    def stop(self):
        # libmilter notices SIGTERM when its listener wakes up (5 s).
        _stop_popen(self.proc, timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def rss_kb(self, field="VmHWM"):
        """A memory figure of the running milter from /proc (kB), or None."""
        if not self.alive():
            return None
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return None

    @property
    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
