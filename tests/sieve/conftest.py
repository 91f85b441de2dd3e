# SPDX-License-Identifier: MIT
"""Fixtures of the golden Sieve tests and the differential count line."""

import pytest

import pigeonhole

_STATS = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def mailsift():
    """The mailsift program to test; skips the test when there is none."""
    binary, why = pigeonhole.mailsift_binary()
    if binary is None:
        pytest.skip(why)
    return binary


@pytest.fixture(scope="session")
def sieve_test():
    """Pigeonhole's sieve-test in a private directory, for the whole session."""
    ph = pigeonhole.Pigeonhole()
    yield ph
    ph.close()


@pytest.fixture
def pigeonhole_stats(request):
    return request.config.stash.setdefault(_STATS, {"compared": 0, "agree": 0, "known": 0})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = config.stash.get(_STATS, None)
    if stats is None:
        return
    terminalreporter.write_line("pigeonhole: %d cases compared, %d agree, %d known differences"
                                % (stats["compared"], stats["agree"], stats["known"]))
