# SPDX-License-Identifier: MIT
"""A private Dovecot 2.3 instance for the integration tests of the
Dovecot plugins (tests/dovecot), bench/lmtp and scripts/demo.

    sink = SmtpSink(free_port(), root / "sink").start()      # postfix.py
    dc = PrivateDovecot(root / "dc", mail_plugins=["mailsift"],
                        mail_plugin_dir=BUILD / "imap-plugin/.libs",
                        plugin_settings={"mailsift": "~/rules.sieve"},
                        submission_host="127.0.0.1:%d" % sink.port)
    dc.add_user("alice"); dc.add_user("bob")
    dc.start()
    dc.deliver(["alice@example.org", "bob@example.org"], message)
        # -> {"alice@example.org": (250, "2.0.0 <alice@example.org> ID Saved"),
        #     "bob@example.org": (250, "2.0.0 <bob@example.org> ID:R2 Saved")}
    dc.folders("alice"); dc.messages("alice", "INBOX")
    dc.stop(); sink.stop()

PrivateDovecot runs `dovecot -F -c ROOT/dovecot.conf` (foreground, a
Popen in a session of its own) from a configuration written here, with
no `!include` of /etc/dovecot: the system's Dovecot, running or not, is
never read or touched.  Everything lives under root_dir: the config,
state_dir (state/), the log (dovecot.log: log_path, info_log_path and
debug_log_path; dovecot.out holds what the master prints before its log
service runs), a passwd-file used as both passdb and userdb (passwd),
the users' homes with their Maildirs (home/USER/Maildir) and, when a
plugin directory is given, modules/: symlinks to the modules of that
directory and to the named plugins found only in Dovecot's own
(/usr/lib/dovecot/modules), so our plugins and Pigeonhole's load side by
side.  base_dir, where the master puts its pid file and every unix
socket, is /tmp/msdc-XXXXXXXX: a unix socket path must fit in 108 bytes
and pytest's tmp paths are too long.  It is removed at stop().

The instance listens on 127.0.0.1 only: an IMAP port and an LMTP port
(free ports picked at construction), no imaps, no pop3, no submission;
every other listener is a unix socket in base_dir.  Plaintext logins
(`auth_mechanisms = plain login`, ssl = no), no delay after a failed
login.  Users map to one unprivileged system account (mailsift-test,
made by ensure_account() as scripts/check does); `auth_username_format
= %Ln`, so LMTP's RCPT TO <alice@example.org> and an IMAP login as
alice@example.org both find alice.  The namespace separator is "/"
(namespace_separator=).  What Dovecot sends itself (redirect, reject,
vacation) goes to submission_host; without one it fails, since
sendmail_path is /bin/false (the default would queue into the system's
Postfix).

A plugin of mail_plugins whose module carries NAME_plugin_binary_dependency
(Pigeonhole's sieve: "lda lmtp"; imap_* plugins: "imap") is put in those
`protocol` sections only (plugin_layout()): in the global list, the
other programs would fail to load it and every IMAP login would break.

start() waits for both ports and then, with users, probes: an IMAP login
and an LMTP RCPT for the first user, which make imap and lmtp load their
mail plugins; a failure raises DovecotError with the log's tail.

It must run as root: the master binds, then its services drop to
dovecot / dovenull / the mail account.  Since those users read the
passwd-file and the homes, root_dir and its parents get o+x (pytest's
/tmp/pytest-of-root is 0700).  dovecot-lda runs as root (it drops to the
user) or as the mail account (deliver_lda(as_root=False)).

Every process started here is stopped by its pid: the master (the Popen)
and the processes of its session (its children, found by parent pid and
by session id in /proc), never by name.
"""

import base64
import imaplib
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO / "tests" / "milter") not in sys.path:
    sys.path.insert(0, str(REPO / "tests" / "milter"))

from postfix import (MILTER_ACCOUNT, SmtpSink, _children, _kill_if_same,  # noqa: E402
                     _start_time, _stop_popen, ensure_account, find_program, free_port,
                     wait_port)

__all__ = ["PrivateDovecot", "DovecotError", "SmtpSink", "dovecot_missing",
           "ensure_account", "free_port", "wait_port", "imap_utf7_encode",
           "imap_utf7_decode", "DOVECOT_MODULES", "DOVECOT_LDA", "MAIL_ACCOUNT"]

DOVECOT_MODULES = "/usr/lib/dovecot/modules"
DOVECOT_LDA = "/usr/lib/dovecot/dovecot-lda"
MAIL_ACCOUNT = MILTER_ACCOUNT
INTERNAL_USER = "dovecot"
LOGIN_USER = "dovenull"
DEFAULT_SENDER = "sender@example.com"


class DovecotError(RuntimeError):
    """Dovecot did not start, a command failed, or a plugin is missing;
    the text carries Dovecot's own words (log tail, stderr)."""


# ---- finding things ---------------------------------------------------------------

def dovecot_missing():
    """Why a private Dovecot cannot run here, or None."""
    if os.geteuid() != 0:
        return "a private Dovecot instance needs root (its services drop privileges)"
    for prog in ("dovecot", "doveadm", "doveconf"):
        if find_program(prog) is None:
            return "%s is not installed (Debian package dovecot-core)" % prog
    if not os.access(DOVECOT_LDA, os.X_OK):
        return "%s is not installed (Debian package dovecot-core)" % DOVECOT_LDA
    for f in ("lmtp", "imap", "imap-login"):
        if not os.access("/usr/lib/dovecot/" + f, os.X_OK):
            return ("/usr/lib/dovecot/%s is not installed (Debian packages "
                    "dovecot-imapd, dovecot-lmtpd)" % f)
    for user in (INTERNAL_USER, LOGIN_USER):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return "no %s account (Debian package dovecot-core)" % user
    return None


def pigeonhole_missing():
    """Why Pigeonhole's sieve plugin cannot be used, or None."""
    if plugin_file(DOVECOT_MODULES, "sieve") is None:
        return "Pigeonhole's sieve plugin is not installed (Debian package dovecot-sieve)"
    return None


_MODULE_RE = re.compile(r"^lib\d*_(.+?)(?:_plugin)?\.so$")


def module_name(filename):
    """Dovecot's name of a module file: lib95_imap_sieve_plugin.so ->
    imap_sieve (lib, the digits, "_", "_plugin" and ".so" stripped), or
    None for a file that is not a module."""
    m = _MODULE_RE.match(filename)
    return m.group(1) if m else None


def directory_modules(directory):
    """{module name: file} of a directory.  Of several files of one name
    (lib95_x_plugin.so left over by a build that now makes
    lib96_x_plugin.so; Dovecot would refuse the directory) the newest
    wins."""
    out = {}
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return out
    for f in entries:
        n = module_name(f)
        if n is None:
            continue
        path = Path(directory) / f
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            continue
        if n not in out or mtime > out[n][1]:
            out[n] = (path, mtime)
    return {n: p for n, (p, _) in out.items()}


def plugin_file(directory, name):
    """The module file of plugin `name` in directory, or None."""
    return directory_modules(directory).get(name)


def plugin_names(value):
    """The plugin names of a mail_plugins value ("$mail_plugins sieve" or a
    list), $-references left out."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split()
    return [v for v in value if v and not v.startswith("$")]


def newest_first(dirs, module):
    """dirs, the one whose module file is newest first (missing ones last)."""
    def mtime(d):
        try:
            return (d / module).stat().st_mtime
        except OSError:
            return float("-inf")
    return sorted(dirs, key=mtime, reverse=True)


def binary_dependency(path, name):
    """The binaries (list) a module is restricted to by its
    NAME_plugin_binary_dependency string (Dovecot's module loader refuses
    it elsewhere), or None when it has none.  Reads the ELF file's
    dynamic symbols; x86-64/aarch64 (64-bit little-endian) only."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            for i in range(shnum)]
    want = (name + "_plugin_binary_dependency").encode()
    for _, typ, _, _, off, size, link, _, _, entsize in secs:
        if typ != 11 or not entsize:    # SHT_DYNSYM
            continue
        stroff = secs[link][4]
        for j in range(size // entsize):
            st_name, _, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", data,
                                                               off + j * entsize)
            end = data.index(b"\0", stroff + st_name)
            if data[stroff + st_name:end] != want or shndx == 0:
                continue
            # A const char[]: its bytes are in the section the value falls in.
            for _, styp, _, addr, soff, ssize, _, _, _, _ in secs:
                if styp != 8 and addr and addr <= value < addr + ssize:
                    at = soff + value - addr
                    text = data[at:data.index(b"\0", at)].decode("ascii", "replace")
                    return text.split()
            return None
    return None


# ---- IMAP's modified UTF-7 (RFC 3501 5.1.3) -----------------------------------------

def imap_utf7_encode(name):
    """str -> the mailbox name as IMAP sends it (str, ASCII)."""
    out = []
    run = []

    def flush():
        if run:
            data = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=")
                       .replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def imap_utf7_decode(name):
    """A mailbox name as IMAP sends it (str or bytes) -> str.  Raises
    ValueError on a malformed name."""
    if isinstance(name, bytes):
        name = name.decode("ascii")
    out = []
    i = 0
    while i < len(name):
        ch = name[i]
        if ch != "&":
            out.append(ch)
            i += 1
            continue
        end = name.find("-", i)
        if end < 0:
            raise ValueError("unterminated &-sequence in %r" % name)
        chunk = name[i + 1:end]
        if not chunk:
            out.append("&")
        else:
            b64 = chunk.replace(",", "/")
            b64 += "=" * (-len(b64) % 4)
            out.append(base64.b64decode(b64, validate=True).decode("utf-16-be"))
        i = end + 1
    return "".join(out)


def _quote(s):
    """An IMAP quoted string."""
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def _imap_mailbox(name):
    return _quote(imap_utf7_encode(name))


def _astring(data, pos):
    """Parses an IMAP astring/nstring at data[pos:] (bytes, no literal):
    (value bytes or None for NIL, position after it)."""
    while pos < len(data) and data[pos:pos + 1] == b" ":
        pos += 1
    if data[pos:pos + 1] == b'"':
        out = bytearray()
        pos += 1
        while data[pos:pos + 1] != b'"':
            if data[pos:pos + 1] == b"\\":
                pos += 1
            out += data[pos:pos + 1]
            pos += 1
        return bytes(out), pos + 1
    end = data.find(b" ", pos)
    end = len(data) if end < 0 else end
    atom = data[pos:end]
    return (None if atom.upper() == b"NIL" else atom), end


# ---- processes ------------------------------------------------------------------------

def _stat_fields(pid):
    """Fields after the command of /proc/PID/stat (index 0 = state), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def session_members(sid):
    """{pid: start time} of every process whose session id is sid."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        fields = _stat_fields(int(d))
        if fields is not None and int(fields[3]) == sid and fields[0] != "Z":
            out[int(d)] = fields[19]
    return out


def _cmdline(pid):
    """The process title of pid (Dovecot's children set it: e.g.
    "dovecot-mailsift-msdc-XXXXXXXX/anvil [0 connections]"), first word."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    words = data.replace(b"\0", b" ").split()
    return words[0].decode(errors="replace") if words else ""


def _tcp_listeners():
    """{socket inode: (address, port)} of the TCP sockets in LISTEN state."""
    out = {}
    for path, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] != "0A":   # TCP_LISTEN
                continue
            addr, port = parts[1].split(":")
            if v6:
                raw = bytes.fromhex(addr)
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                host = socket.inet_ntop(socket.AF_INET6, raw)
            else:
                host = socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr)[::-1])
            out[int(parts[9])] = (host, int(port, 16))
    return out


# ---- Dovecot ------------------------------------------------------------------------

def _conf_value(v):
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    return str(v)


def _block(name, settings, indent=""):
    """A `name { k = v }` section; nested dicts become nested sections."""
    lines = ["%s%s {" % (indent, name)]
    for k, v in settings.items():
        if isinstance(v, dict):
            lines += _block(k, v, indent + "  ")
        else:
            lines.append("%s  %s = %s" % (indent, k, _conf_value(v)))
    lines.append(indent + "}")
    return lines


class PrivateDovecot:
    """One private Dovecot instance under root_dir (see the module's
    docstring).  Constructor arguments are kept as attributes of the same
    names; change them before start() or call reload() after.

    mail_plugins      plugin names (e.g. ["mailsift"]): the global
                      mail_plugins, but a plugin restricted to some
                      programs goes to their protocol sections
                      (plugin_layout())
    mail_plugin_dir   None: Dovecot's own modules; else a directory (or a
                      list of them) searched first: modules/ under root
                      gets symlinks to every module of those directories
                      and to the named plugins found only in Dovecot's
    plugin_settings   {key: value} -> plugin { key = value }
    protocol_settings {"lmtp": {...}, "imap": {...}, "lda": {...}} ->
                      protocol P { ... }; their mail_plugins count as
                      named plugins too ("$mail_plugins sieve")
    settings          more top-level settings, over the defaults of
                      settings() (kept as .settings_extra)
    extra_conf        raw text appended to dovecot.conf
    submission_host   "127.0.0.1:PORT" (e.g. an SmtpSink) for redirects,
                      rejects and vacation; None: sending fails
                      (sendmail_path = /bin/false, never the system's
                      sendmail)
    postmaster_address, hostname, namespace_separator: as named
    """

    def __init__(self, root_dir, imap_port=None, lmtp_port=None, mail_plugins=(),
                 mail_plugin_dir=None, plugin_settings=None, protocol_settings=None,
                 settings=None, extra_conf="", submission_host=None,
                 postmaster_address="postmaster@example.org", hostname="mx.example.org",
                 namespace_separator="/", mail_account=MAIL_ACCOUNT, debug=False):
        self.root = Path(root_dir).resolve()
        self.imap_port = imap_port or free_port()
        self.lmtp_port = lmtp_port
        while self.lmtp_port is None or self.lmtp_port == self.imap_port:
            self.lmtp_port = free_port()
        self.mail_plugins = list(mail_plugins)
        self.mail_plugin_dir = mail_plugin_dir
        self.plugin_settings = dict(plugin_settings or {})
        self.protocol_settings = {k: dict(v) for k, v in (protocol_settings or {}).items()}
        self.settings_extra = dict(settings or {})
        self.extra_conf = extra_conf
        self.submission_host = submission_host
        self.postmaster_address = postmaster_address
        self.hostname = hostname
        self.namespace_separator = namespace_separator
        self.mail_account = mail_account
        self.debug = debug
        self.users = {}           # name -> {"password", "home", "fields"}
        self.base_dir = None      # made at setup(): /tmp/msdc-XXXXXXXX
        self.proc = None
        self.start_seconds = None
        self._out = None
        self._master = None       # (pid, start time)
        self._plugin_dir_value = DOVECOT_MODULES
        self.modules = {}         # plugin name -> module file, at setup()

    # ---- paths ----

    @property
    def config_path(self):
        return self.root / "dovecot.conf"

    @property
    def log_path(self):
        return self.root / "dovecot.log"

    @property
    def out_path(self):
        return self.root / "dovecot.out"

    @property
    def passwd_path(self):
        return self.root / "passwd"

    @property
    def state_dir(self):
        return self.root / "state"

    @property
    def modules_dir(self):
        return self.root / "modules"

    @property
    def home_root(self):
        return self.root / "home"

    @property
    def mail_ids(self):
        """(uid, gid) of the mail account."""
        pw = pwd.getpwnam(self.mail_account)
        return pw.pw_uid, pw.pw_gid

    def home(self, user):
        return Path(self.users[user]["home"])

    def maildir(self, user):
        """The user's Maildir (INBOX; folder F is the .F subdirectory)."""
        return self.home(user) / "Maildir"

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    # ---- users ----

    def add_user(self, name, password="pw", extra_userdb_fields=None):
        """A mail user (passdb and userdb); home ROOT/home/NAME owned by
        the mail account.  Extra fields are userdb fields (e.g.
        {"mail": "maildir:~/Other"}, plugin settings like
        {"sieve": "file:~/x"}); they may be given with or without the
        userdb_ prefix.  Works before and after start(): Dovecot rereads
        a changed passwd-file, and a running instance is given up to a
        second to notice."""
        if not re.fullmatch(r"[A-Za-z0-9._+-]+", name):
            raise ValueError("user name %r: letters, digits and ._+- only" % name)
        if ":" in password or "\n" in password:
            raise ValueError("a passwd-file password cannot hold ':' or a newline")
        fields = {}
        for k, v in (extra_userdb_fields or {}).items():
            k = k[len("userdb_"):] if k.startswith("userdb_") else k
            v = str(v)
            if re.search(r"\s", v):
                # The extra fields column is split at blanks; ':' is fine
                # there (it is the last column).
                raise ValueError("userdb field %s=%r: no blanks in a passwd-file" % (k, v))
            fields[k] = v
        home = self.home_root / name
        self.users[name] = {"password": password, "home": str(home), "fields": fields}
        if self.root.exists():
            self._write_users()
        return home

    def _write_users(self):
        ensure_account(self.mail_account)
        uid, gid = self.mail_ids
        self.home_root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home_root, 0o755)
        lines = []
        for name, u in self.users.items():
            home = Path(u["home"])
            if not home.exists():
                home.mkdir()
                os.chown(home, uid, gid)
                os.chmod(home, 0o700)
            extra = " ".join("userdb_%s=%s" % kv for kv in u["fields"].items())
            lines.append("%s:{PLAIN}%s:%d:%d::%s::%s" % (name, u["password"], uid, gid,
                                                        home, extra))
        tmp = self.passwd_path.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in lines))
        # Read by the auth service, which runs as dovecot.
        os.chown(tmp, 0, pwd.getpwnam(INTERNAL_USER).pw_gid)
        os.chmod(tmp, 0o640)
        try:
            old_mtime = int(self.passwd_path.stat().st_mtime)
        except OSError:
            old_mtime = None
        os.replace(tmp, self.passwd_path)
        if self.alive():
            # The auth service stats the file at most once a second and
            # rereads it when mtime (seconds) or size changed: give it a
            # new mtime and let the second end.
            now = time.time()
            if old_mtime is not None and int(now) <= old_mtime:
                os.utime(self.passwd_path, (old_mtime + 1, old_mtime + 1))
            time.sleep(int(now) + 1.02 - now)

    def write_home_file(self, user, relpath, data, mode=0o600):
        """Writes data (str or bytes) at HOME/relpath as the mail account
        owns it (parent directories too); returns the path."""
        uid, gid = self.mail_ids
        home = self.home(user)
        path = home / relpath
        d = path.parent
        missing = []
        while d != home and not d.exists():
            missing.append(d)
            d = d.parent
        for d in reversed(missing):
            d.mkdir()
            os.chown(d, uid, gid)
            os.chmod(d, 0o700)
        if isinstance(data, str):
            data = data.encode()
        tmp = path.with_name("." + path.name + ".tmp")
        tmp.write_bytes(data)
        os.chown(tmp, uid, gid)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        return path

    def pigeonhole_script(self, user, text, name="main"):
        """Installs a Pigeonhole script as the user's active one, for
        plugin { sieve = file:~/sieve;active=~/.dovecot.sieve }:
        ~/sieve/NAME.sieve and the symlink ~/.dovecot.sieve to it."""
        path = self.write_home_file(user, "sieve/%s.sieve" % name, text)
        link = self.home(user) / ".dovecot.sieve"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to("sieve/%s.sieve" % name)
        uid, gid = self.mail_ids
        os.lchown(link, uid, gid)
        return path

    # ---- configuration ----

    def named_plugins(self):
        """Every plugin name the configuration loads somewhere."""
        names = list(self.mail_plugins)
        names += plugin_names(self.settings_extra.get("mail_plugins"))
        for prot in self.protocol_settings.values():
            names += plugin_names(prot.get("mail_plugins"))
        out = []
        for n in names:
            if n not in out:
                out.append(n)
        return out

    def _plugin_dirs(self):
        d = self.mail_plugin_dir
        if d is None:
            return []
        if isinstance(d, (str, Path)):
            return [Path(d)]
        return [Path(x) for x in d]

    def _prepare_modules(self):
        """Resolves the named plugins ({name: module file} in self.modules)
        and returns the mail_plugin_dir value, building modules/ when our
        own directories are given.  Raises DovecotError when a named
        plugin is in none of the directories."""
        own = self._plugin_dirs()
        search = own + [Path(DOVECOT_MODULES)]
        found = {}
        for n in self.named_plugins():
            for d in search:
                f = plugin_file(d, n)
                if f is not None:
                    found[n] = f
                    break
        missing = [n for n in self.named_plugins() if n not in found]
        if missing:
            listing = []
            for d in search:
                try:
                    mods = sorted(f for f in os.listdir(d) if module_name(f))
                    listing.append("%s: %s" % (d, " ".join(mods) or "(no modules)"))
                except OSError as e:
                    listing.append("%s: %s" % (d, e.strerror))
            raise DovecotError("mail plugin(s) %s not found in\n  %s"
                               % (", ".join(missing), "\n  ".join(listing)))
        self.modules = found
        if not own:
            return DOVECOT_MODULES
        md = self.modules_dir
        if md.exists():
            shutil.rmtree(md)
        md.mkdir()
        os.chmod(md, 0o755)
        linked = {}
        for d in own:
            for n, f in directory_modules(d).items():
                linked.setdefault(n, f)
        for n, f in found.items():
            linked.setdefault(n, f)
        for n, target in linked.items():
            (md / target.name).symlink_to(target.resolve())
        return str(md)

    def plugin_layout(self):
        """(global mail_plugins names, {protocol: names added there}): a
        plugin of self.mail_plugins whose module declares
        NAME_plugin_binary_dependency (Pigeonhole's sieve: "lda lmtp",
        imap_* plugins: "imap") goes to those protocols only; in the
        global list the other binaries could not load it."""
        glob_names, per = [], {}
        for n in self.mail_plugins:
            dep = binary_dependency(self.modules[n], n) if n in self.modules else None
            if dep is None:
                glob_names.append(n)
            else:
                for prot in dep:
                    per.setdefault(prot, []).append(n)
        return glob_names, per

    def settings(self):
        """The top-level settings (dict), before the sections."""
        uid, gid = self.mail_ids
        s = {
            "instance_name": "mailsift-" + Path(self.base_dir).name,
            "base_dir": self.base_dir,
            "state_dir": str(self.state_dir),
            "protocols": "imap lmtp",
            "listen": "127.0.0.1",
            "ssl": "no",
            "disable_plaintext_auth": "no",
            "auth_mechanisms": "plain login",
            "auth_username_format": "%Ln",
            "auth_failure_delay": "0",
            "default_internal_user": INTERNAL_USER,
            "default_login_user": LOGIN_USER,
            "first_valid_uid": min(uid, 500),
            "first_valid_gid": min(gid, 500),
            "log_path": str(self.log_path),
            "info_log_path": str(self.log_path),
            "debug_log_path": str(self.log_path),
            "log_timestamp": '"%Y-%m-%d %H:%M:%S "',
            "hostname": self.hostname,
            "postmaster_address": self.postmaster_address,
            "mail_location": "maildir:~/Maildir",
            "mail_plugin_dir": self._plugin_dir_value,
            "mail_plugins": " ".join(self.plugin_layout()[0]),
            "mail_max_userip_connections": "100",
            "login_greeting": "Dovecot (mailsift test) ready.",
            "verbose_proctitle": "yes",
        }
        # What Dovecot sends (Pigeonhole's reject and redirect, vacation)
        # goes to submission_host; without one, sendmail_path would be
        # /usr/sbin/sendmail, i.e. the system's Postfix queue: fail
        # instead.
        s["sendmail_path"] = "/bin/false"
        if self.submission_host:
            s["submission_host"] = self.submission_host
        if self.debug:
            s.update({"mail_debug": "yes", "auth_debug": "yes", "auth_verbose": "yes"})
        s.update(self.settings_extra)
        return s

    def config_text(self):
        lines = ["# Written by tests/dovecot/dovecot.py: a private instance,",
                 "# nothing included from /etc/dovecot."]
        lines += ["%s = %s" % (k, _conf_value(v)) for k, v in self.settings().items()]
        lines += _block("namespace inbox", {"inbox": "yes",
                                            "separator": self.namespace_separator})
        passwd = str(self.passwd_path)
        lines += _block("passdb", {"driver": "passwd-file",
                                   "args": "scheme=PLAIN " + passwd})
        lines += _block("userdb", {"driver": "passwd-file", "args": passwd})
        lines += _block("service imap-login", {
            "inet_listener imap": {"address": "127.0.0.1", "port": self.imap_port},
            "inet_listener imaps": {"port": 0},
        })
        lines += _block("service lmtp", {
            "inet_listener lmtp": {"address": "127.0.0.1", "port": self.lmtp_port},
        })
        # dovecot-lda run as the mail account connects to it (else an
        # error line on its stderr).
        lines += _block("service stats", {"unix_listener stats-writer": {"mode": "0666"}})
        # No growing per-IP delay after failed logins (all tests come
        # from 127.0.0.1: 2, 4, 8... s); with auth_failure_delay = 0 a
        # failure still takes 0.5 s.
        lines += _block("service anvil", {"unix_listener anvil-auth-penalty": {"mode": "0"}})
        if self.plugin_settings:
            lines += _block("plugin", self.plugin_settings)
        protocols = {p: dict(s) for p, s in self.protocol_settings.items()}
        for prot, names in self.plugin_layout()[1].items():
            s = protocols.setdefault(prot, {})
            have = s.get("mail_plugins", "$mail_plugins")
            add = [n for n in names if n not in plugin_names(have)]
            s["mail_plugins"] = " ".join([have] + add)
        for prot, s in protocols.items():
            lines += _block("protocol " + prot, s)
        text = "\n".join(lines) + "\n"
        if self.extra_conf:
            text += "# extra_conf\n" + self.extra_conf.rstrip("\n") + "\n"
        return text

    def setup(self):
        """Directories, modules/, passwd-file and dovecot.conf; no process."""
        self.root.mkdir(parents=True, exist_ok=True)
        _make_traversable(self.root)
        os.chmod(self.root, 0o755)
        ensure_account(self.mail_account)
        if self.base_dir is None:
            self.base_dir = tempfile.mkdtemp(prefix="msdc-", dir="/tmp")
            # Unprivileged services connect to sockets in it.
            os.chmod(self.base_dir, 0o755)
        self.state_dir.mkdir(exist_ok=True)
        os.chmod(self.state_dir, 0o755)
        self._plugin_dir_value = self._prepare_modules()
        self._write_users()
        self.config_path.write_text(self.config_text())
        os.chmod(self.config_path, 0o644)   # read by doveconf as the mail account (LDA)
        # Written by the log service (root) and by dovecot-lda itself, also
        # when it runs as the mail account: unwritable, LDA exits 75.
        self.log_path.touch()
        os.chown(self.log_path, 0, self.mail_ids[1])
        os.chmod(self.log_path, 0o664)
        return self

    def check_config(self):
        """doveconf -n on the written file: (exit status, output)."""
        r = subprocess.run([find_program("doveconf"), "-n", "-c", str(self.config_path)],
                           capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    # ---- running ----

    def start(self, timeout=10, probe=True):
        """Starts the master and waits until both ports accept connections.
        With probe (and at least one user), logs the first user in over
        IMAP (SELECT INBOX, which makes that user's Maildir) and gives it
        as an LMTP RCPT (then RSET), so that a plugin that does not load
        fails here; both leave lines in the log.  Raises DovecotError
        with Dovecot's words."""
        if self.proc is not None:
            raise DovecotError("already started")
        t0 = time.monotonic()
        try:
            self.setup()
            self._out = open(self.out_path, "ab")
            self.proc = subprocess.Popen(
                [find_program("dovecot"), "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=str(self.root))
            self._master = (self.proc.pid, _start_time(self.proc.pid))
            for port in (self.imap_port, self.lmtp_port):
                left = max(0.1, timeout - (time.monotonic() - t0))
                if not wait_port(port, left, self.proc):
                    if self.proc.poll() is not None:
                        raise DovecotError("dovecot exited with %s at start\n%s"
                                           % (self.proc.returncode, self.failure_text()))
                    raise DovecotError("dovecot does not listen on 127.0.0.1:%d after %ss\n%s"
                                       % (port, timeout, self.failure_text()))
            # Not someone else's listener on a port picked too early.
            want = {("127.0.0.1", self.imap_port), ("127.0.0.1", self.lmtp_port)}
            if not want <= set(self.listeners()):
                raise DovecotError("dovecot does not own 127.0.0.1:%d and :%d\n%s"
                                   % (self.imap_port, self.lmtp_port, self.failure_text()))
            if probe and self.users:
                self._probe()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - t0
        return self

    def _probe(self):
        user = next(iter(self.users))
        try:
            m = self.imap(user)
            typ, data = m.select("INBOX")
            m.logout()
            if typ != "OK":
                raise DovecotError("IMAP SELECT INBOX as %s: %s %r" % (user, typ, data))
        except (imaplib.IMAP4.error, OSError, EOFError) as e:
            raise DovecotError("IMAP probe (login as %s) failed: %s\n%s"
                               % (user, e, self.failure_text()))
        # RCPT makes lmtp set the user up, loading its mail plugins.
        lmtp = None
        try:
            lmtp = self.lmtp()
            code, text = lmtp.mail(DEFAULT_SENDER)
            if code == 250:
                code, text = lmtp.rcpt(user + "@example.org")
            lmtp.rset()
        except (smtplib.SMTPException, OSError) as e:
            raise DovecotError("LMTP probe (RCPT %s@example.org) failed: %s\n%s"
                               % (user, e, self.failure_text()))
        finally:
            if lmtp is not None:
                _close_smtp(lmtp)
        if code != 250:
            raise DovecotError("LMTP probe (RCPT %s@example.org) answered %d %s\n%s"
                               % (user, code, text.decode(errors="replace"),
                                  self.failure_text()))

    def failure_text(self):
        """dovecot.out and the log's tail, once the log stopped growing
        (a failing process's last words reach it through the log
        service, after the client saw the failure)."""
        end = time.monotonic() + 1
        size = -1
        while time.monotonic() < end:
            try:
                now = self.log_path.stat().st_size
            except OSError:
                break
            if now == size:
                break
            size = now
            time.sleep(0.1)
        out = ""
        try:
            out = self.out_path.read_text(errors="replace")
        except OSError:
            pass
        return "--- dovecot.out ---\n%s--- dovecot.log (tail) ---\n%s" % (out, self.log_tail(40))

    def processes(self):
        """{pid: start time} of this instance's live processes: the master,
        its children, and anything left in its session."""
        if self._master is None:
            return {}
        pid, start = self._master
        out = session_members(pid)
        if _start_time(pid) == start:
            out[pid] = start
            out.update(_children(pid))
        return {p: s for p, s in out.items() if s is not None and _start_time(p) == s}

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _socket_inodes(self):
        inodes = set()
        for pid in self.processes():
            try:
                fds = os.listdir("/proc/%d/fd" % pid)
            except OSError:
                continue
            for fd in fds:
                try:
                    link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                except OSError:
                    continue
                m = re.fullmatch(r"socket:\[(\d+)\]", link)
                if m:
                    inodes.add(int(m.group(1)))
        return inodes

    def listeners(self):
        """Sorted [(address, port)] of the TCP sockets this instance's
        processes listen on."""
        tcp = _tcp_listeners()
        return sorted({tcp[i] for i in self._socket_inodes() if i in tcp})

    def unix_listeners(self):
        """Sorted paths of the unix sockets this instance's processes
        listen on."""
        paths = {}
        with open("/proc/net/unix") as f:
            for line in f.read().splitlines()[1:]:
                parts = line.split()
                # Flags 00010000: __SO_ACCEPTCON, a listening socket.
                if len(parts) >= 8 and int(parts[3], 16) & 0x10000:
                    paths[int(parts[6])] = parts[7]
        return sorted({paths[i] for i in self._socket_inodes() if i in paths})

    def stop(self, timeout=10, graceful=False):
        """Stops the instance by pid and removes base_dir.  By default
        SIGTERM goes to every process of it at once (each exits at once);
        graceful=True sends it to the master only, which takes Dovecot
        ~2.5 s (it waits for its children).  Whatever is left after that
        gets SIGKILL (pid and start time checked).  Returns the pids that
        needed SIGKILL (normally none)."""
        killed = []
        if self.proc is not None:
            before = self.processes()
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            if not graceful:
                # After the master: a master still running would start a
                # new log process when its log process ends.
                for p, s in sorted(before.items()):
                    if p != self.proc.pid and _start_time(p) == s:
                        try:
                            os.kill(p, signal.SIGTERM)
                        except ProcessLookupError:
                            pass
            _stop_popen(self.proc, signal.SIGTERM, timeout)
            end = time.monotonic() + 3
            while True:
                left = {p: s for p, s in before.items() if _start_time(p) == s}
                left.update(self.processes())
                if not left or time.monotonic() > end:
                    break
                time.sleep(0.01)
            for p, s in left.items():
                _kill_if_same(p, s)
                killed.append(p)
            self.proc = None
        if self._out is not None:
            self._out.close()
            self._out = None
        if self.base_dir is not None and os.path.isdir(self.base_dir):
            shutil.rmtree(self.base_dir, ignore_errors=True)
        self.base_dir = None
        return killed

    def reload(self, timeout=10):
        """Rewrites modules/, the passwd-file and dovecot.conf from the
        attributes, then `doveadm reload`; returns once the master has
        logged the SIGHUP."""
        self._plugin_dir_value = self._prepare_modules()
        self._write_users()
        self.config_path.write_text(self.config_text())
        mark = "SIGHUP received - reloading configuration"
        count = self.log().count(mark)
        old = self.processes()
        self.doveadm("reload")
        self.wait_log(mark, count + 1, timeout)
        # Processes of the old configuration still hold the listeners
        # for a moment and answer "421 4.3.2 Shutting down": wait until
        # they are gone (anvil alone lives on, with the master).
        keep = {self.pid} | {p for p in old if _cmdline(p).endswith("/anvil")}
        end = time.monotonic() + timeout
        while any(_start_time(p) == s for p, s in old.items() if p not in keep):
            if time.monotonic() > end:
                raise DovecotError("processes of the old configuration still run %ss "
                                   "after reload\n%s" % (timeout, self.log_tail(20)))
            time.sleep(0.02)

    # ---- logs ----

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log().splitlines()[-n:])

    def wait_log(self, text, count=1, timeout=5):
        """Waits until text occurs count times in the log; returns the log."""
        end = time.monotonic() + timeout
        while True:
            log = self.log()
            if log.count(text) >= count:
                return log
            if time.monotonic() > end:
                raise AssertionError("%r (x%d) not in the Dovecot log:\n%s"
                                     % (text, count, self.log_tail(40)))
            time.sleep(0.02)

    # ---- tools ----

    def doveadm(self, *args, check=True, timeout=60, input=None):
        """doveadm -c FILE ARGS...: the CompletedProcess (text); raises
        DovecotError on a non-zero exit when check."""
        r = subprocess.run([find_program("doveadm"), "-c", str(self.config_path)]
                           + [str(a) for a in args], capture_output=True, text=True,
                           timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise DovecotError("doveadm %s: exit %d\n%s%s\n%s" % (
                " ".join(map(str, args)), r.returncode, r.stdout, r.stderr, self.log_tail(20)))
        return r

    def deliver_lda(self, user, message, args=(), sender=DEFAULT_SENDER, as_root=True,
                    timeout=60):
        """dovecot-lda -c FILE -d USER -f SENDER ARGS < message: (exit
        status, stderr text).  As root (the default) it looks the user up
        through the running instance's auth-userdb socket and drops to the
        mail account; as_root=False runs it as the mail account."""
        self.ensure_access()
        cmd = [DOVECOT_LDA, "-c", str(self.config_path), "-d", user, "-f", sender]
        cmd += [str(a) for a in args]
        kw = {}
        if not as_root:
            uid, gid = self.mail_ids
            kw = {"user": uid, "group": gid, "extra_groups": []}
        r = subprocess.run(cmd, input=_crlf_to_lf(_bytes(message)), capture_output=True,
                           timeout=timeout, cwd="/", **kw)
        return r.returncode, r.stderr.decode(errors="replace")

    def ensure_access(self):
        """o+x again on root_dir's parents: a pytest session started as
        root meanwhile resets /tmp/pytest-of-root to 0700, and dovecot's
        services would lose their way to the passwd-file and the homes."""
        _make_traversable(self.root)

    # ---- LMTP ----

    def lmtp(self, timeout=30):
        """An smtplib.LMTP connected to the LMTP port (LHLO sent)."""
        self.ensure_access()
        c = smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=timeout)
        c.ehlo("client.example")
        return c

    def deliver(self, rcpts, message, mail_from=DEFAULT_SENDER, mail_options=(),
                rcpt_options=()):
        """One LMTP transaction: {rcpt: (code, text)} in rcpts order, the
        RCPT reply for a refused recipient and that recipient's own reply
        to DATA for an accepted one.  Raises DovecotError when MAIL FROM
        is refused."""
        if isinstance(rcpts, str):
            rcpts = [rcpts]
        c = self.lmtp()
        try:
            code, text = c.mail(mail_from, list(mail_options))
            if code != 250:
                raise DovecotError("LMTP MAIL FROM:<%s>: %d %s"
                                   % (mail_from, code, text.decode(errors="replace")))
            replies = {}
            accepted = []
            for r in rcpts:
                code, text = c.rcpt(r, list(rcpt_options))
                replies[r] = (code, text.decode(errors="replace"))
                if code in (250, 251):
                    accepted.append(r)
            if accepted:
                code, text = c.docmd("DATA")
                if code != 354:
                    for r in accepted:
                        replies[r] = (code, text.decode(errors="replace"))
                else:
                    c.send(_dot_stuff(_bytes(message)))
                    for r in accepted:
                        code, text = c.getreply()
                        replies[r] = (code, text.decode(errors="replace"))
            try:
                c.quit()
            except (smtplib.SMTPException, OSError):
                pass
            return {r: replies[r] for r in rcpts}
        finally:
            _close_smtp(c)

    # ---- IMAP ----

    def imap(self, user, password=None, timeout=30):
        """An imaplib.IMAP4 on the IMAP port, logged in as user."""
        if password is None:
            password = self.users[user.split("@")[0]]["password"]
        self.ensure_access()
        m = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=timeout)
        try:
            m.login(user, password)
        except BaseException:
            _close_imap(m)
            raise
        return m

    def folders(self, user):
        """The user's mailbox names (str, decoded from modified UTF-7), as
        LIST "" "*" gives them."""
        m = self.imap(user)
        try:
            typ, data = m.list('""', "*")
            if typ != "OK":
                raise DovecotError("LIST: %s %r" % (typ, data))
            return [imap_utf7_decode(n) for n in _list_names(data)]
        finally:
            _close_imap(m)

    def create_folder(self, user, name):
        m = self.imap(user)
        try:
            typ, data = m.create(_imap_mailbox(name))
            if typ != "OK":
                raise DovecotError("CREATE %s: %s %r" % (name, typ, data))
        finally:
            _close_imap(m)

    def messages(self, user, folder="INBOX"):
        """[(uid, flags, raw bytes)] of a folder, by UID; flags is a set of
        str (\\Seen, $label...), session-only \\Recent left out; raw is
        BODY[] as IMAP sends it (CRLF line ends)."""
        m = self.imap(user)
        try:
            typ, data = m.select(_imap_mailbox(folder), readonly=True)
            if typ != "OK":
                raise DovecotError("SELECT %s: %s %r" % (folder, typ, data))
            if int(data[0]) == 0:
                return []
            typ, data = m.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            if typ != "OK":
                raise DovecotError("UID FETCH: %s %r" % (typ, data))
            return sorted(_fetch_records(data))
        finally:
            _close_imap(m)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---- small helpers ----------------------------------------------------------------------

def _make_traversable(path):
    """o+x on path's parents that lack it, so the mail account and
    dovecot reach files under it."""
    for d in Path(path).parents:
        if d == Path("/"):
            break
        st = d.stat()
        if not st.st_mode & stat.S_IXOTH:
            os.chmod(d, stat.S_IMODE(st.st_mode) | stat.S_IXOTH)


def _bytes(message):
    return message.encode() if isinstance(message, str) else bytes(message)


def _crlf_to_lf(data):
    return data.replace(b"\r\n", b"\n")


def _dot_stuff(data):
    """Message bytes -> the DATA payload: CRLF line ends, leading dots
    doubled, the final CRLF.CRLF."""
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if data and not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _close_smtp(c):
    try:
        c.close()
    except OSError:
        pass


def _close_imap(m):
    try:
        m.logout()
    except (imaplib.IMAP4.error, OSError, EOFError):
        try:
            m.shutdown()
        except OSError:
            pass


def _list_names(data):
    """Mailbox names (raw, modified UTF-7) of imaplib's LIST data."""
    names = []
    for item in data:
        if item is None:
            continue
        if isinstance(item, tuple):        # the name came as a literal
            names.append(item[1].decode("ascii"))
            continue
        m = re.match(rb"\(([^)]*)\) ", item)
        if not m:
            raise DovecotError("unexpected LIST line %r" % item)
        _, pos = _astring(item, m.end())   # the hierarchy delimiter
        name, _ = _astring(item, pos)
        names.append(name.decode("ascii"))
    return names


def _fetch_records(data):
    """[(uid, flags, body)] of imaplib's UID FETCH data."""
    recs = []
    cur = None
    for item in data:
        if isinstance(item, tuple):
            cur = [item[0], item[1]]
            recs.append(cur)
        elif isinstance(item, bytes) and cur is not None:
            cur[0] += b" " + item
    out = []
    for meta, body in recs:
        uid = re.search(rb"\bUID (\d+)", meta)
        flags = re.search(rb"\bFLAGS \(([^)]*)\)", meta)
        if uid is None or flags is None:
            raise DovecotError("unexpected FETCH response %r" % meta)
        fl = {f.decode() for f in flags.group(1).split()} - {"\\Recent"}
        out.append((int(uid.group(1)), fl, body))
    return out
