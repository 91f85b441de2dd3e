# SPDX-License-Identifier: MIT
"""Counts for the differential test, printed at the end of the run."""

import pytest

_STATS = pytest.StashKey[dict]()


@pytest.fixture
def diff_stats(request):
    return request.config.stash.setdefault(_STATS, {"compared": 0, "agreed": 0})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = config.stash.get(_STATS, None)
    if stats is None:
        return
    terminalreporter.write_line(
        "email diff: %d messages compared with Python's email package, %d agreed in full"
        % (stats["compared"], stats["agreed"]))
