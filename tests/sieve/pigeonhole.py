#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The golden Sieve cases and Pigeonhole's sieve-test as their reference.

Shared by test_golden.py and test_pigeonhole.py, and a command of its own:

    tests/sieve/pigeonhole.py --expect [--force] NAME...

writes NAME.expect (`exit N` + sieve-test's standard output) for each
eligible case, so case authors can seed expectations from the reference;
an existing .expect is only replaced with --force.

The case layout is fixed by the golden format (NAME.sieve, NAME.eml,
NAME.opts, NAME.expect in this directory).  A case is compared with
Pigeonhole when every capability its script requires is available in
sieve-test under pigeonhole.conf and its options only use -f/-r/-a and
--format=pigeonhole.

sieve-test refuses to run as root.  As root it runs as the system account
mailsift-test (made by scripts/check) through runuser (or setpriv); as any
other user it runs directly.  Everything it reads (script, message,
config) is copied into a private temporary directory owned by the account,
with HOME there too, since the checkout may not be readable by it; the
mail store (~/mail) is an empty throwaway maildir.  The environment is
emptied and TZ=UTC set, so the date and currentdate tests do not depend on
the machine.  Bad input (unreadable cases, a sieve-test that does not
start) becomes a Python exception with sieve-test's error text, never a
silent skip; only a missing sieve-test, or root without the account, makes
the reference unavailable.
"""

import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONF = HERE / "pigeonhole.conf"
DIFFERENCES = HERE / "pigeonhole-differences.txt"
ACCOUNT = "mailsift-test"
NAME_RE = re.compile(r"[a-z0-9-]+\Z")
TIMEOUT = 60

# The environment both sieve-test and mailsift run under.
FIXED_ENV = {"TZ": "UTC", "LC_ALL": "C"}


# ---- the cases ------------------------------------------------------------------

class Case:
    """One golden case: the files NAME.* in a directory."""

    def __init__(self, name, directory=HERE):
        self.name = name
        self.dir = Path(directory)

    def path(self, ext):
        return self.dir / (self.name + ext)

    @property
    def sieve(self):
        return self.path(".sieve")

    @property
    def eml(self):
        return self.path(".eml")

    @property
    def expect(self):
        return self.path(".expect")

    def missing(self):
        """The files a runnable case lacks (names), in a fixed order."""
        return [p.name for p in (self.sieve, self.eml, self.expect) if not p.is_file()]

    def opts(self):
        """NAME.opts split with POSIX shell rules ([] without the file)."""
        path = self.path(".opts")
        if not path.is_file():
            return []
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        if len(lines) > 1:
            raise ValueError("%s: one line of options wanted, found %d" % (path.name, len(lines)))
        return shlex.split(lines[0]) if lines else []


def case_names(directory=HERE):
    """The base names of every NAME.sieve in directory, sorted."""
    return sorted(p.name[:-len(".sieve")] for p in Path(directory).glob("*.sieve"))


def read_expect(path):
    """(exit, stdout bytes, stderr bytes or None) of an .expect file.

    First line `exit N`; the rest up to a line `--- stderr` is the standard
    output, what follows that line the standard error."""
    data = Path(path).read_bytes()
    first, sep, body = data.partition(b"\n")
    m = re.fullmatch(rb"exit ([0-9]+)\r?", first)
    if not m:
        raise ValueError("%s: the first line must be `exit N`, not %r" % (Path(path).name, first))
    marker = b"--- stderr\n"
    if body.startswith(marker):
        return int(m.group(1)), b"", body[len(marker):]
    at = body.find(b"\n" + marker)
    if at < 0:
        return int(m.group(1)), body, None
    return int(m.group(1)), body[:at + 1], body[at + 1 + len(marker):]


def format_expect(code, stdout, stderr=None):
    out = b"exit %d\n" % code + stdout
    if stderr is not None:
        out += b"--- stderr\n" + stderr
    return out


def load_differences(path=DIFFERENCES):
    """{NAME: reason} from the intended-differences list (`NAME  reason`)."""
    known = {}
    if not Path(path).is_file():
        return known
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) < 2 or not NAME_RE.match(parts[0]):
            raise ValueError("%s:%d: want `NAME  reason`" % (Path(path).name, lineno))
        if parts[0] in known:
            raise ValueError("%s:%d: %s listed twice" % (Path(path).name, lineno, parts[0]))
        known[parts[0]] = parts[1]
    return known


# ---- what a case needs from Pigeonhole ----------------------------------------------

def map_opts(opts):
    """sieve-test's options for a case's mailsift options, or (None, reason).

    Only -f/-r/-a (same meaning in both) and --format=pigeonhole map."""
    out = []
    i = 0
    while i < len(opts):
        o = opts[i]
        if o in ("-f", "-r", "-a"):
            if i + 1 >= len(opts):
                return None, "option %s without a value" % o
            out += [o, opts[i + 1]]
            i += 2
            continue
        if o == "--format=pigeonhole":
            i += 1
            continue
        if o == "--format" and i + 1 < len(opts) and opts[i + 1] == "pigeonhole":
            i += 2
            continue
        return None, "option %s has no sieve-test equivalent" % shlex.quote(o)
    return out, None


_WORD = re.compile(rb":?[A-Za-z_][A-Za-z0-9_]*|[0-9]+[KMGkmg]?")


class _Lexer:
    """Just enough of RFC 5228 2.x to find the strings of `require`.

    Tolerant: a script that does not lex yields the requires found before
    the error (compile-error cases are still run, both sides refuse them)."""

    def __init__(self, data):
        self.s = data
        self.i = 0

    def tokens(self):
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i:self.i + 1]
            if c in b" \t\r\n":
                self.i += 1
            elif c == b"#":
                end = s.find(b"\n", self.i)
                self.i = n if end < 0 else end + 1
            elif s.startswith(b"/*", self.i):
                end = s.find(b"*/", self.i + 2)
                if end < 0:
                    return
                self.i = end + 2
            elif c == b'"':
                value = bytearray()
                j = self.i + 1
                while j < n and s[j:j + 1] != b'"':
                    if s[j:j + 1] == b"\\" and j + 1 < n:
                        j += 1
                    value += s[j:j + 1]
                    j += 1
                if j >= n:
                    return
                self.i = j + 1
                yield ("string", bytes(value))
            elif re.match(rb"text:", s[self.i:self.i + 5], re.I):
                m = re.compile(rb"text:[ \t]*(#[^\n]*)?\r?\n").match(s, self.i)
                if not m:
                    return
                j = m.end()
                lines = []
                while True:
                    end = s.find(b"\n", j)
                    if end < 0:
                        return
                    line = s[j:end + 1]
                    j = end + 1
                    if line.rstrip(b"\r\n") == b".":
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.i = j
                yield ("string", b"".join(lines))
            else:
                m = _WORD.match(s, self.i)
                if m:
                    self.i = m.end()
                    yield ("word", m.group(0))
                else:
                    self.i += 1
                    yield ("punct", c)


def required_capabilities(script):
    """The capability strings of every `require` in script (bytes), in order."""
    toks = list(_Lexer(script).tokens())
    caps = []
    for k, (kind, value) in enumerate(toks):
        if kind != "word" or value.lower() != b"require":
            continue
        rest = toks[k + 1:]
        if rest and rest[0][0] == "string":
            caps.append(rest[0][1])
        elif rest and rest[0] == ("punct", b"["):
            for kind2, value2 in rest[1:]:
                if kind2 == "string":
                    caps.append(value2)
                elif value2 != b",":
                    break
    return [c.decode("utf-8", "surrogateescape") for c in caps]


# ---- running sieve-test ---------------------------------------------------------------

class Result:
    """What sieve-test did: exit status, output, and a kind: `ok` (0),
    `runtime` (1: failed, implicit keep), `compile` (did not compile),
    `usage` (refused an option), `other`."""

    def __init__(self, code, stdout, stderr):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        if code == 0:
            self.kind = "ok"
        elif code == 1:
            self.kind = "runtime"
        elif b"failed to compile sieve script" in stderr:
            self.kind = "compile"
        elif re.search(rb"Fatal: Invalid -[far] parameter", stderr):
            self.kind = "usage"
        else:
            self.kind = "other"

    def as_mailsift_exit(self):
        """The exit status mailsift should give for the same outcome."""
        return {"ok": 0, "runtime": 1, "compile": 2}.get(self.kind, self.code)

    def describe(self):
        err = self.stderr.decode("utf-8", "backslashreplace").strip()
        return "sieve-test exited %d%s" % (self.code, ":\n" + err if err else "")


class Unavailable(Exception):
    """sieve-test cannot be used here (the reason is the message)."""


def _reachable_by_others(path):
    """True when every directory up to path can be traversed by any user."""
    p = Path(path).resolve()
    for d in [p] + list(p.parents):
        try:
            if not os.stat(d).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


class Pigeonhole:
    """sieve-test with pigeonhole.conf in a private directory; one per session."""

    def __init__(self, conf=CONF):
        self.conf = Path(conf)
        self.binary = shutil.which("sieve-test") or shutil.which(
            "sieve-test", path="/usr/bin:/usr/local/bin")
        self.unavailable = None
        self.prefix = []
        self.uid = self.gid = None
        self.tmp = None
        self.runs = 0
        self._caps = {}
        if not self.binary:
            self.unavailable = "sieve-test is not installed (Debian package dovecot-sieve)"
            return
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam(ACCOUNT)
            except KeyError:
                self.unavailable = ("running as root and the account %s does not exist"
                                    " (scripts/check makes it)" % ACCOUNT)
                return
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
            if shutil.which("runuser"):
                self.prefix = [shutil.which("runuser"), "-u", ACCOUNT, "--"]
            elif shutil.which("setpriv"):
                self.prefix = [shutil.which("setpriv"), "--reuid=%d" % self.uid,
                               "--regid=%d" % self.gid, "--clear-groups", "--"]
            else:
                self.unavailable = "running as root without runuser or setpriv"

    def _own(self, path):
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)

    def _session_dir(self):
        if self.tmp is None:
            base = tempfile.gettempdir()
            if self.uid is not None and not _reachable_by_others(base):
                base = "/tmp"
            self.tmp = Path(tempfile.mkdtemp(prefix="mailsift-pigeonhole.", dir=base))
            self._own(self.tmp)
            shutil.copyfile(self.conf, self.tmp / "pigeonhole.conf")
            self._own(self.tmp / "pigeonhole.conf")
        return self.tmp

    def close(self):
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def run(self, script, message, args=(), name="case"):
        """Result of sieve-test on script and message (bytes) with args."""
        if self.unavailable:
            raise Unavailable(self.unavailable)
        session = self._session_dir()
        self.runs += 1
        work = session / ("run-%d" % self.runs)
        home = work / "home"
        home.mkdir(parents=True)
        (work / (name + ".sieve")).write_bytes(script)
        (work / (name + ".eml")).write_bytes(message)
        for p in (work, home, work / (name + ".sieve"), work / (name + ".eml")):
            self._own(p)
        env = dict(FIXED_ENV, HOME=str(home), PATH="/usr/sbin:/usr/bin:/sbin:/bin")
        # -C: never reuse a compiled binary; sieve-test still writes one
        # next to the script, hence the writable directory.
        cmd = [self.binary, "-C", "-c", str(session / "pigeonhole.conf")] + list(args) + [
            name + ".sieve", name + ".eml"]
        if self.prefix:
            cmd = self.prefix + ["/usr/bin/env", "-i"] + [
                "%s=%s" % kv for kv in sorted(env.items())] + cmd
        try:
            proc = subprocess.run(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=TIMEOUT)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def has_capability(self, cap):
        """Whether `require "cap";` compiles under our config (cached)."""
        if cap not in self._caps:
            if any(ord(ch) < 0x20 or 0xdc80 <= ord(ch) <= 0xdcff for ch in cap):
                self._caps[cap] = False
            else:
                quoted = cap.replace("\\", "\\\\").replace('"', '\\"')
                r = self.run(('require "%s";\n' % quoted).encode("utf-8"),
                             b"From: probe@example.com\n\nprobe\n", name="probe")
                if r.kind not in ("ok", "compile"):
                    raise RuntimeError("sieve-test does not work: " + r.describe())
                self._caps[cap] = r.kind == "ok"
        return self._caps[cap]

    def eligibility(self, case):
        """(sieve-test args, None) when case is compared, else (None, reason)."""
        lacking = case.missing()
        if lacking:
            return None, "incomplete case: no " + ", ".join(lacking)
        args, why = map_opts(case.opts())
        if args is None:
            return None, why
        if self.unavailable:
            return None, self.unavailable
        caps = required_capabilities(case.sieve.read_bytes())
        missing = [c for c in dict.fromkeys(caps) if not self.has_capability(c)]
        if missing:
            return None, "Pigeonhole lacks " + ", ".join(repr(c) for c in missing)
        return args, None

    def run_case(self, case, args):
        return self.run(case.sieve.read_bytes(), case.eml.read_bytes(), args, name=case.name)


# ---- running mailsift ---------------------------------------------------------------

def mailsift_binary():
    """(path, None) of the mailsift to test, or (None, why not).

    $MAILSIFT when set (it must then exist), else the build of scripts/check
    (../../_build/check/tools/mailsift from here)."""
    env = os.environ.get("MAILSIFT")
    if env:
        if not os.access(env, os.X_OK):
            raise RuntimeError("MAILSIFT=%s is not an executable file" % env)
        return env, None
    built = HERE.parent.parent / "_build" / "check" / "tools" / "mailsift"
    if os.access(built, os.X_OK):
        return str(built), None
    return None, "no mailsift: set MAILSIFT or build %s" % built


class Output:
    def __init__(self, code, stdout, stderr):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr


def run_mailsift(binary, case):
    """`cd tests/sieve && mailsift test --format=pigeonhole OPTS NAME.sieve NAME.eml`."""
    cmd = [binary, "test", "--format=pigeonhole"] + case.opts() + [
        case.sieve.name, case.eml.name]
    proc = subprocess.run(cmd, cwd=case.dir, env=dict(os.environ, **FIXED_ENV),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=TIMEOUT)
    return Output(proc.returncode, proc.stdout, proc.stderr)


def _visible(data):
    """bytes as text lines for a diff, with what a terminal hides made visible."""
    text = data.decode("utf-8", "backslashreplace").replace("\r", "\\r").replace("\t", "\\t")
    lines = [line + "\n" for line in text.split("\n")]
    if lines[-1] == "\n":
        lines.pop()
    else:
        lines[-1] += "\\ No newline at end of file\n"
    return lines


def show_diff(expected, actual, expected_label, actual_label):
    """A unified diff of two (exit, stdout, stderr or None) triples."""
    import difflib

    def lines(code, stdout, stderr):
        out = ["exit %s\n" % code] + _visible(stdout)
        if stderr is not None:
            out += ["--- stderr\n"] + _visible(stderr)
        return out

    return "".join(difflib.unified_diff(lines(*expected), lines(*actual),
                                        expected_label, actual_label, n=5))


# ---- the seeding command -----------------------------------------------------------

def _seed(ph, name, force):
    name = Path(name).name
    for ext in (".sieve", ".eml", ".expect", ".opts"):
        if name.endswith(ext):
            name = name[:-len(ext)]
    case = Case(name)
    if not NAME_RE.match(name) or not case.sieve.is_file() or not case.eml.is_file():
        return "%s: no such case (want %s and %s in %s)" % (
            name, case.sieve.name, case.eml.name, HERE)
    if case.expect.exists() and not force:
        return "%s: %s exists (--force replaces it)" % (name, case.expect.name)
    args, why = map_opts(case.opts())
    if args is None:
        return "%s: not comparable with Pigeonhole: %s" % (name, why)
    missing = [c for c in dict.fromkeys(required_capabilities(case.sieve.read_bytes()))
               if not ph.has_capability(c)]
    if missing:
        return "%s: not comparable with Pigeonhole: it lacks %s" % (
            name, ", ".join(repr(c) for c in missing))
    r = ph.run_case(case, args)
    if r.kind in ("ok", "runtime"):
        case.expect.write_bytes(format_expect(r.as_mailsift_exit(), r.stdout))
        print("%s: wrote %s (exit %d)" % (name, case.expect.name, r.as_mailsift_exit()))
    elif r.kind == "compile":
        case.expect.write_bytes(format_expect(r.as_mailsift_exit(), b""))
        print("%s: wrote %s (exit 2: sieve-test did not compile it; add a `--- stderr`"
              " section with mailsift's NAME.sieve:LINE:COL: error: lines)" % (
                  name, case.expect.name))
        sys.stdout.write(r.stderr.decode("utf-8", "backslashreplace"))
    elif r.kind == "usage":
        return "%s: not comparable with Pigeonhole: sieve-test refuses %s.opts: %s" % (
            name, name, r.stderr.decode("utf-8", "backslashreplace").strip())
    else:
        return "%s: %s" % (name, r.describe())
    return None


def main(argv):
    import argparse
    parser = argparse.ArgumentParser(
        prog="pigeonhole.py",
        description="Write the .expect of golden Sieve cases from Pigeonhole's sieve-test.")
    parser.add_argument("--expect", action="store_true", required=True,
                        help="write NAME.expect from sieve-test's exit status and output")
    parser.add_argument("--force", action="store_true", help="replace an existing .expect")
    parser.add_argument("names", nargs="+", metavar="NAME", help="case name (or one of its files)")
    opts = parser.parse_args(argv)
    ph = Pigeonhole()
    if ph.unavailable:
        print("pigeonhole.py: " + ph.unavailable, file=sys.stderr)
        return 2
    status = 0
    try:
        for name in opts.names:
            try:
                error = _seed(ph, name, opts.force)
            except ValueError as exc:
                error = "%s: %s" % (name, exc)
            if error:
                print(error, file=sys.stderr)
                status = 1
    finally:
        ph.close()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
