# SPDX-License-Identifier: MIT
"""Fixtures of the mailsift-milter tests: the binaries, a Milter helper
that runs the real daemon (as root, dropping to mailsift-test) with a
config and a Sieve script written under the test's tmp_path, miltertest
scenarios, and a small Python client of the milter protocol for volumes
miltertest cannot send (its buffers are 1 KB)."""

import os
import pwd
import shutil
import signal
import socket
import stat
import struct
import subprocess
import time
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LUA_DIR = Path(__file__).resolve().parent / "lua"
TEST_USER = "mailsift-test"


def _find_binary(env, rel):
    """$env, else <repo>/_build/check/rel, else <repo>/_build/lead/rel."""
    path = os.environ.get(env)
    if path:
        return (path, None) if os.access(path, os.X_OK) else (None, "%s=%s is not executable"
                                                               % (env, path))
    for build in ("check", "lead"):
        cand = REPO / "_build" / build / rel
        if os.access(cand, os.X_OK):
            return str(cand), None
    return None, "no %s: set %s or build _build/check" % (rel, env)


@pytest.fixture(scope="session")
def milter_binary():
    """The mailsift-milter under test; the tests need root (the daemon
    drops to mailsift-test) and that account."""
    path, why = _find_binary("MAILSIFT_MILTER", "smtp-milter/mailsift-milter")
    if path is None:
        pytest.skip(why)
    if os.geteuid() != 0:
        pytest.skip("the milter tests run as root (the daemon drops privileges)")
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        pytest.skip("no %s account (scripts/check creates it: "
                    "useradd --system --no-create-home %s)" % (TEST_USER, TEST_USER))
    return path


@pytest.fixture(scope="session")
def miltertest_binary():
    path = shutil.which("miltertest")
    if path is None:
        pytest.skip("miltertest is not installed (Debian package miltertest)")
    return path


def dropped_ids():
    pw = pwd.getpwnam(TEST_USER)
    return pw.pw_uid, pw.pw_gid


def make_traversable(path):
    """Lets the dropped user reach files under path: o+x on path and on
    each parent that lacks it (pytest's base directory is 0700)."""
    p = Path(path).resolve()
    for d in [p] + list(p.parents):
        if d == Path("/"):
            break
        st = d.stat()
        if not st.st_mode & stat.S_IXOTH:
            os.chmod(d, stat.S_IMODE(st.st_mode) | stat.S_IXOTH)


def user_dir(path, mode=0o755):
    """A directory owned by the dropped user (it writes there)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    uid, gid = dropped_ids()
    os.chown(path, uid, gid)
    os.chmod(path, mode)
    return path


class Milter:
    """One mailsift-milter process, `-f -c CFG -u mailsift-test`, on
    unix:DIR/run/milter.sock.  `settings` are extra config lines
    ("key = value" strings, or a dict)."""

    def __init__(self, binary, workdir, script, settings=(), user=TEST_USER, start=True,
                 extra_args=()):
        self.binary = binary
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        make_traversable(self.dir)
        self.user = user
        self.run_dir = user_dir(self.dir / "run")
        self.socket_path = self.run_dir / "milter.sock"
        self.spec = "unix:%s" % self.socket_path
        self.script_path = self.dir / "milter.sieve"
        self.config_path = self.dir / "milter.conf"
        self.log_path = self.dir / "milter.log"
        self.extra_args = list(extra_args)
        self.proc = None
        self._log_file = None
        self.write_script(script)
        if isinstance(settings, dict):
            settings = ["%s = %s" % kv for kv in settings.items()]
        self.settings = list(settings)
        self.write_config()
        if start:
            self.start()

    def write_script(self, text):
        # Replace, do not truncate: a reload racing the write must see
        # either the old or the new script.
        tmp = self.script_path.with_suffix(".tmp")
        tmp.write_text(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.script_path)

    def write_config(self, settings=None):
        if settings is not None:
            self.settings = list(settings)
        keys = {line.split("=", 1)[0].strip() for line in self.settings}
        lines = ["# written by tests/milter/conftest.py"]
        if "socket" not in keys:
            lines.append("socket = %s" % self.spec)
        if "pidfile" not in keys:
            lines.append("pidfile = none")
        if "script" not in keys:
            lines.append("script = %s" % self.script_path)
        lines += self.settings
        if "log_level" not in keys:
            # Plain accepts are logged at debug level; the tests read them.
            lines.append("log_level = debug")
        self.config_path.write_text("\n".join(lines) + "\n")
        os.chmod(self.config_path, 0o644)

    def command(self, *args):
        return [self.binary] + list(args)

    def start(self, timeout=10):
        assert self.proc is None
        self._log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "-f", "-c", str(self.config_path), "-u", self.user] + self.extra_args,
            stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=self._log_file)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("mailsift-milter exited with %d at start:\n%s"
                                   % (self.proc.returncode, self.log))
            if "started on" in self.log and self._connectable():
                return self
            time.sleep(0.02)
        raise RuntimeError("mailsift-milter did not open %s:\n%s" % (self.socket_path, self.log))

    def _connectable(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(str(self.socket_path))
            return True
        except OSError:
            return False
        finally:
            s.close()

    @property
    def pid(self):
        return self.proc.pid

    @property
    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, text, count=1, timeout=5):
        """Waits until `text` occurs `count` times in the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.count(text) >= count:
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError("%r (x%d) not in the milter's log:\n%s" % (text, count, self.log))

    def ensure_access(self):
        """Another pytest session as root resets pytest-of-root to 0700
        (pytest does so at start): give the dropped user its way back
        before it must read the script, the config or the key again."""
        make_traversable(self.dir)

    def reload(self, timeout=5):
        """SIGUSR1; returns once the reload was logged (done or failed)."""
        self.ensure_access()
        before = self.log.count("reloaded ") + self.log.count("reload failed")
        os.kill(self.pid, signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.count("reloaded ") + self.log.count("reload failed") > before:
                return
            time.sleep(0.02)
        raise AssertionError("no reload logged after SIGUSR1:\n%s" % self.log)

    def status(self):
        """/proc/PID/status as a dict of its lines."""
        out = {}
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
        return out

    def rss_kb(self):
        """{'VmHWM': peak kB, 'VmRSS': current kB}."""
        st = self.status()
        return {k: int(st[k].split()[0]) for k in ("VmHWM", "VmRSS")}

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=5):
        """Stops the daemon by its pid; returns (exit status, seconds)."""
        if self.proc is None:
            return None, 0.0
        t0 = time.monotonic()
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        took = time.monotonic() - t0
        rc = self.proc.returncode
        self._log_file.close()
        self.proc = None
        return rc, took


@pytest.fixture
def milter_factory(milter_binary, tmp_path):
    """start(script, settings=(), name="milter", **kw) -> a running Milter;
    every one is stopped at teardown."""
    started = []

    def start(script, settings=(), name="milter", start=True, **kw):
        m = Milter(milter_binary, tmp_path / name, script, settings, start=False, **kw)
        started.append(m)  # before start(): a daemon that hangs there is stopped too
        if start:
            m.start()
        return m

    yield start
    for m in started:
        m.stop()


def run_miltertest(miltertest, scenario, milter, timeout=60, **defines):
    """Runs tests/milter/lua/SCENARIO.lua against the milter; globals
    SOCKET, LUADIR and the defines are set with -D."""
    args = [miltertest, "-s", str(LUA_DIR / (scenario + ".lua")),
            "-D", "SOCKET=%s" % milter.spec, "-D", "LUADIR=%s" % LUA_DIR]
    for k, v in defines.items():
        args += ["-D", "%s=%s" % (k, v)]
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def miltertest(miltertest_binary):
    """run(scenario, milter, **defines): asserts exit 0, returns stdout."""

    def run(scenario, milter, **defines):
        milter.ensure_access()
        r = run_miltertest(miltertest_binary, scenario, milter, **defines)
        if r.returncode != 0:
            pytest.fail("miltertest %s.lua failed (exit %d)\n--- stdout\n%s--- stderr\n%s"
                        "--- milter log\n%s" % (scenario, r.returncode, r.stdout, r.stderr,
                                                 milter.log), pytrace=False)
        return r.stdout

    return run


# ---- a milter protocol client (the MTA side) ----

SMFIP = {
    "NOCONNECT": 0x1, "NOHELO": 0x2, "NOMAIL": 0x4, "NORCPT": 0x8, "NOBODY": 0x10,
    "NOHDRS": 0x20, "NOEOH": 0x40, "NR_HDR": 0x80, "NOUNKNOWN": 0x100, "NODATA": 0x200,
    "SKIP": 0x400, "RCPT_REJ": 0x800, "NR_CONN": 0x1000, "NR_HELO": 0x2000,
    "NR_MAIL": 0x4000, "NR_RCPT": 0x8000, "NR_DATA": 0x10000, "NR_UNKN": 0x20000,
    "NR_EOH": 0x40000, "NR_BODY": 0x80000, "HDR_LEADSPC": 0x100000,
    "MDS_256K": 0x10000000, "MDS_1M": 0x20000000,
}
# Final answers at end of message; anything else there is a modification.
FINAL = {b"c", b"a", b"r", b"t", b"d", b"y"}


class MilterClosed(Exception):
    pass


class MilterClient:
    """The MTA side of the milter protocol (version 6), as Postfix speaks
    it: every stage offered, replies read only where the filter wants to
    give one, stages it negotiated away not sent (unless force=True)."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.protocol = 0
        self.actions = 0

    def close(self):
        try:
            self.send(b"Q")
        except OSError:
            pass
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, cmd, data=b""):
        self.sock.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise MilterClosed("the milter closed the connection")
            buf += chunk
        return bytes(buf)

    def recv(self):
        (n,) = struct.unpack(">I", self._recv_exact(4))
        data = self._recv_exact(n)
        return data[:1], data[1:]

    def has(self, flag):
        return bool(self.protocol & SMFIP[flag])

    def negotiate(self, version=6, actions=0x1FF, protocol=0x1FFFFF):
        self.send(b"O", struct.pack(">III", version, actions, protocol))
        cmd, data = self.recv()
        assert cmd == b"O", (cmd, data)
        _, self.actions, self.protocol = struct.unpack(">III", data[:12])
        return self.protocol

    def macro(self, stage, **values):
        data = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in values.items())
        self.send(b"D", stage + data)

    def _stage(self, cmd, data, skip_flag, nr_flag, force=False):
        if skip_flag and self.has(skip_flag) and not force:
            return None
        self.send(cmd, data)
        if nr_flag and self.has(nr_flag):
            return None
        return self.recv()

    def connect_info(self, host="client.example", ip="192.0.2.1", port=40000):
        data = host.encode() + b"\0" + b"4" + struct.pack(">H", port) + ip.encode() + b"\0"
        return self._stage(b"C", data, "NOCONNECT", "NR_CONN")

    def helo(self, name="client.example"):
        return self._stage(b"H", name.encode() + b"\0", "NOHELO", "NR_HELO")

    def mail(self, sender, *args):
        data = b"".join(a.encode() + b"\0" for a in (sender,) + args)
        return self._stage(b"M", data, "NOMAIL", "NR_MAIL")

    def rcpt(self, addr, *args):
        data = b"".join(a.encode() + b"\0" for a in (addr,) + args)
        return self._stage(b"R", data, "NORCPT", "NR_RCPT")

    def header(self, name, value, force=False):
        name = name if isinstance(name, bytes) else name.encode()
        value = value if isinstance(value, bytes) else value.encode()
        return self._stage(b"L", name + b"\0" + value + b"\0", "NOHDRS", "NR_HDR", force)

    def eoh(self):
        return self._stage(b"N", b"", "NOEOH", "NR_EOH")

    def body(self, chunk, force=False):
        return self._stage(b"B", chunk, "NOBODY", "NR_BODY", force)

    def eom(self):
        """End of message: (final (cmd, data), [modification (cmd, data)])."""
        self.send(b"E")
        mods = []
        while True:
            cmd, data = self.recv()
            if cmd in FINAL:
                return (cmd, data), mods
            if cmd != b"p":
                mods.append((cmd, data))

    def abort(self):
        self.send(b"A")

    def open(self, helo="client.example"):
        """Negotiate, connect information, HELO."""
        self.negotiate()
        self.connect_info()
        self.helo(helo)
        return self


def reply_text(answer):
    """'550 5.7.1 text' of a (b'y', data) answer."""
    cmd, data = answer
    assert cmd == b"y", "expected a reply code, got %r %r" % (cmd, data)
    return data.rstrip(b"\0").decode("ascii", "replace")


@pytest.fixture
def milter_client():
    """client(milter) -> a negotiated MilterClient; closed at teardown."""
    clients = []

    def make(milter, negotiate=True):
        c = MilterClient(milter.socket_path)
        clients.append(c)
        if negotiate:
            c.open()
        return c

    yield make
    for c in clients:
        try:
            c.sock.close()
        except OSError:
            pass


@pytest.fixture(scope="session")
def mh():
    """The helpers the test files use (conftest.py is not importable by
    name: other test directories have one too)."""
    return types.SimpleNamespace(
        Client=MilterClient, Closed=MilterClosed, reply_text=reply_text, SMFIP=SMFIP,
        user_dir=user_dir, make_traversable=make_traversable, ids=dropped_ids,
        LUA_DIR=LUA_DIR, TEST_USER=TEST_USER, Milter=Milter)
