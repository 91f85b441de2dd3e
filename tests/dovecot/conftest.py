# SPDX-License-Identifier: MIT
"""Fixtures of the Dovecot tests: private Dovecot instances (dovecot.py)
built and started per test and stopped at teardown, Postfix's smtp-sink
as their submission_host, and the directory of our plugins
(lib95_mailsift_plugin.so and friends).  Tests skip, with the reason,
when not run as root, when Dovecot's programs are not installed, when
Pigeonhole is missing (tests that use it) or when our plugin is not
built (tests that need it)."""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import dovecot as dvc  # noqa: E402

PLUGIN = "lib95_mailsift_plugin.so"


@pytest.fixture(scope="session")
def dovecot_ready():
    """Skips unless a private Dovecot can run here; makes the mail
    account (mailsift-test) as scripts/check does."""
    why = dvc.dovecot_missing()
    if why is not None:
        pytest.skip(why)
    dvc.ensure_account(dvc.MAIL_ACCOUNT)


@pytest.fixture(scope="session")
def pigeonhole(dovecot_ready):
    """Skips unless Pigeonhole's sieve plugin is installed."""
    why = dvc.pigeonhole_missing()
    if why is not None:
        pytest.skip(why)


@pytest.fixture
def dovecot_factory(dovecot_ready, tmp_path):
    """make(name="dc", users=("alice", "bob"), start=True, **kw) -> a
    PrivateDovecot under tmp_path/name with those users (password "pw"),
    started unless start=False; kw are PrivateDovecot's arguments.  Every
    instance made is stopped at teardown, also when the test or start()
    failed."""
    made = []

    def make(name="dc", users=("alice", "bob"), start=True, **kw):
        dc = dvc.PrivateDovecot(tmp_path / name, **kw)
        made.append(dc)   # before start(): one that fails there is stopped too
        for u in users:
            dc.add_user(u)
        if start:
            dc.start()
        return dc

    yield make
    for dc in made:
        dc.stop()


@pytest.fixture
def sink(tmp_path):
    """Postfix's smtp-sink on a free loopback port, dumping every message
    to tmp_path/sink (.messages()); for submission_host."""
    if dvc.find_program("smtp-sink") is None:
        pytest.skip("smtp-sink is not installed (Debian package postfix)")
    s = dvc.SmtpSink(dvc.free_port(), tmp_path / "sink")
    try:
        s.start()
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def plugin_dir():
    """The directory of our Dovecot plugins: $MAILSIFT_DOVECOT_PLUGIN_DIR,
    else whichever of <repo>/_build/check and <repo>/_build/lead
    (imap-plugin/.libs) was built last, so a stale build never stands in
    for a fresh one.  Skips when none holds lib95_mailsift_plugin.so."""
    env = os.environ.get("MAILSIFT_DOVECOT_PLUGIN_DIR")
    if env:
        cands = [Path(env)]
    else:
        cands = dvc.newest_first([REPO / "_build" / b / "imap-plugin" / ".libs"
                              for b in ("check", "lead")], PLUGIN)
    for d in cands:
        if (d / PLUGIN).is_file():
            return d
    pytest.skip("no %s in %s (set MAILSIFT_DOVECOT_PLUGIN_DIR or build _build/check)"
                % (PLUGIN, " or ".join(str(d) for d in cands)))
