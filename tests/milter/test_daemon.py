# SPDX-License-Identifier: MIT
"""mailsift-milter as a daemon: -t (configuration and script check, with
gcc-style diagnostics), usage errors, the socket (mode, owner), dropping
privileges to the configured user, the pid file, and stopping on
SIGTERM."""

import os
import signal
import stat
import subprocess

import pytest

SCRIPT = 'require "fileinto";\nif header :contains "subject" "x" { fileinto "X"; }\n'


def check(m, *args):
    return subprocess.run(m.command("-t", "-c", str(m.config_path), *args),
                          capture_output=True, text=True, errors="replace", timeout=30)


@pytest.fixture
def unstarted(milter_binary, tmp_path, mh):
    def make(script=SCRIPT, settings=()):
        return mh.Milter(milter_binary, tmp_path / "m", script, settings, start=False)
    return make


def test_check_good_configuration(unstarted):
    m = unstarted()
    r = check(m)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "%s: ok (script %s)\n" % (m.config_path, m.script_path)


def test_check_bad_script(unstarted):
    m = unstarted('require "fileinto";\nfileint "x";\n')
    r = check(m)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.endswith(":2:1: error: unknown command 'fileint'; did you mean 'fileinto'?\n")
    assert r.stderr.count(": error: ") == 1


def test_check_bad_script_names_the_script(unstarted):
    m = unstarted('require "fileinto";\nfileint "x";\n')
    r = check(m)
    assert r.stderr == ("%s:2:1: error: unknown command 'fileint'; did you mean 'fileinto'?\n"
                        % m.script_path)


def test_check_bad_configuration_key(unstarted):
    m = unstarted(settings=["log_level = info", "bogus_key = 1"])
    r = check(m)
    assert r.returncode == 1
    # Line 5: the comment, socket, pidfile and script lines come first.
    assert r.stderr == '%s:6:1: error: unknown key "bogus_key"\n' % m.config_path


def test_check_refuses_a_world_writable_socket(unstarted):
    m = unstarted(settings=["socket_mode = 0666"])
    r = check(m)
    assert r.returncode == 1
    assert r.stderr.startswith("%s:5:15: error: socket_mode 0666 is world-writable" %
                               m.config_path), r.stderr


def test_check_missing_configuration(milter_binary, tmp_path):
    missing = tmp_path / "missing.conf"
    r = subprocess.run([milter_binary, "-t", "-c", str(missing)], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert r.stderr == "%s: error: cannot open %s: No such file or directory\n" % (missing,
                                                                                   missing)


@pytest.mark.parametrize("args", [["-x"], ["-t", "extra-argument"], ["-c"]])
def test_usage_errors(milter_binary, args):
    r = subprocess.run([milter_binary] + args, capture_output=True, text=True)
    assert r.returncode == 2
    assert "usage: mailsift-milter [-c FILE]" in r.stderr
    assert r.stdout == ""


def test_help(milter_binary):
    r = subprocess.run([milter_binary, "-h"], capture_output=True, text=True)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.startswith("usage: mailsift-milter [-c FILE]")


def test_unknown_user(unstarted):
    m = unstarted()
    r = subprocess.run(m.command("-f", "-c", str(m.config_path), "-u", "no-such-user-here"),
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert 'user "no-such-user-here" does not exist' in r.stderr
    assert not m.socket_path.exists()


def proc_ids(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid", "Groups"):
                out[k] = v.split()
    return out


def test_socket_and_privileges(milter_factory, mh):
    m = milter_factory(SCRIPT)
    uid, gid = mh.ids()
    st = os.stat(m.socket_path)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o660
    assert (st.st_uid, st.st_gid) == (uid, gid)
    ids = proc_ids(m.pid)
    assert ids["Uid"] == [str(uid)] * 4  # real, effective, saved, file system
    assert ids["Gid"] == [str(gid)] * 4
    assert ids["Groups"] == [str(gid)]


def test_socket_mode_setting_and_p_option(milter_factory, mh, tmp_path):
    other = mh.user_dir(tmp_path / "other")
    sock = other / "p.sock"
    m = milter_factory(SCRIPT, ["socket_mode = 0600"], extra_args=["-p", "unix:%s" % sock],
                       start=False)
    m.socket_path = sock  # -p wins over the configuration's socket
    m.start()
    assert stat.S_IMODE(os.stat(sock).st_mode) == 0o600
    assert not (m.run_dir / "milter.sock").exists()


def test_pidfile_and_sigterm_stops_quickly(milter_factory, mh):
    m = milter_factory(SCRIPT, start=False)
    pidfile = m.run_dir / "milter.pid"
    m.write_config(["pidfile = %s" % pidfile])
    m.start()
    assert pidfile.read_text() == "%d\n" % m.pid
    # An MTA's idle connection must not hold the stop up.
    client = mh.Client(m.socket_path)
    client.negotiate()
    try:
        rc, took = m.stop(signal.SIGTERM, timeout=5)
    finally:
        client.sock.close()
    assert rc is not None
    # libmilter's listener looks for a stop request every 5 seconds.
    assert took < 7.0, "SIGTERM took %.2f s" % took


def test_sigterm_removes_pidfile_and_socket(milter_factory):
    m = milter_factory(SCRIPT, start=False)
    pidfile = m.run_dir / "milter.pid"
    m.write_config(["pidfile = %s" % pidfile])
    m.start()
    rc, took = m.stop(signal.SIGTERM, timeout=5)
    assert (rc, pidfile.exists(), m.socket_path.exists()) == (0, False, False), m.log
    assert m.log.endswith("mailsift-milter: info: stopped\n"), m.log
