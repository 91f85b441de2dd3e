# SPDX-License-Identifier: MIT
"""The mailsift command line beyond single golden cases: `check` over
several scripts, `run` over files, a Maildir (cur/ and new/), a plain
directory and an mbox file, its one-line-per-message and --stats layouts
(docs/mailsift.1, RUN OUTPUT), and usage errors."""
import os
import subprocess

import pytest

RULES = """require ["fileinto", "reject"];
if header :contains "subject" "invoice" { fileinto "Billing"; }
elsif header :contains "subject" "spam" { discard; }
elsif header :contains "subject" "bounce" {
  redirect "a@example.org"; redirect "b@example.org"; redirect "c@example.org";
  redirect "d@example.org"; redirect "e@example.org";
}
"""


def message(subject, n):
    return ("From: sender%d@example.com\nTo: bob@example.org\nSubject: %s\n"
            "Message-ID: <m%d@example.com>\n\nbody %d\n" % (n, subject, n, n))


def run(mailsift, *args, cwd=None):
    return subprocess.run([mailsift] + list(args), capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def rules(tmp_path):
    p = tmp_path / "rules.sieve"
    p.write_text(RULES)
    return str(p)


def test_run_files_one_line_each(mailsift, rules, tmp_path):
    a = tmp_path / "a.eml"
    b = tmp_path / "b.eml"
    a.write_text(message("Your invoice", 1))
    b.write_text(message("hello", 2))
    r = run(mailsift, "run", rules, str(a), str(b))
    assert r.returncode == 0, r.stderr
    assert r.stdout == '%s: fileinto "Billing"\n%s: implicit keep\n' % (a, b)


def test_run_maildir_cur_and_new_in_name_order(mailsift, rules, tmp_path):
    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "cur" / "2.host:2,S").write_text(message("spam offer", 2))
    (md / "cur" / "1.host:2,").write_text(message("invoice 7", 1))
    (md / "new" / "3.host").write_text(message("hi", 3))
    (md / "tmp" / "4.host").write_text(message("invoice in tmp, never read", 4))
    r = run(mailsift, "run", rules, str(md))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        '%s/cur/1.host:2,: fileinto "Billing"' % md,
        "%s/cur/2.host:2,S: discard" % md,
        "%s/new/3.host: implicit keep" % md,
    ]


def test_run_mbox_and_runtime_error(mailsift, rules, tmp_path):
    box = tmp_path / "inbox.mbox"
    box.write_text("From a@example.com Mon Jan  1 00:00:00 2024\n" + message("invoice", 1) +
                   "\nFrom b@example.com Mon Jan  1 00:00:01 2024\n" + message("bounce", 2) +
                   "\nFrom c@example.com Mon Jan  1 00:00:02 2024\n" + message("other", 3))
    r = run(mailsift, "run", rules, str(box))
    # A runtime error in one message makes the exit status 1; the run goes on.
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        '%s:1: fileinto "Billing"' % box,
        "%s:2: error (line 6): too many redirect actions (5, limit 4), implicit keep" % box,
        "%s:3: implicit keep" % box,
    ]


def test_run_stats(mailsift, rules, tmp_path):
    d = tmp_path / "msgs"
    d.mkdir()
    for i, s in enumerate(["invoice", "invoice 2", "spam", "hello"]):
        (d / ("%d.eml" % i)).write_text(message(s, i))
    r = run(mailsift, "run", "--stats", rules, str(d))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("messages: 4\nunreadable: 0\nfailed: 0\nimplicit keep: 1\n"
                        "action fileinto: 2\naction discard: 1\n"
                        "line 2: 2\nline 3: 1\n")


def test_run_unreadable_is_counted_not_fatal(mailsift, rules, tmp_path):
    good = tmp_path / "good.eml"
    good.write_text(message("invoice", 1))
    r = run(mailsift, "run", "--stats", rules, str(tmp_path / "missing.eml"), str(good))
    assert r.returncode == 1
    assert "missing.eml" in r.stderr
    assert r.stdout.startswith("messages: 1\nunreadable: 1\n")


def test_check_several_scripts(mailsift, tmp_path):
    good = tmp_path / "good.sieve"
    bad = tmp_path / "bad.sieve"
    good.write_text("keep;\n")
    bad.write_text('require "fileinto";\nfileint "x";\nif header :iz "a" "b" { keep; }\n')
    r = run(mailsift, "check", "good.sieve", "bad.sieve", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == ("bad.sieve:2:1: error: unknown command 'fileint'; did you mean "
                        "'fileinto'?\n"
                        "bad.sieve:3:11: error: unknown tag ':iz' for test 'header'; did you "
                        "mean ':is'?\n")
    assert run(mailsift, "check", "good.sieve", cwd=tmp_path).returncode == 0


def test_test_reads_stdin_and_null_sender(mailsift, tmp_path):
    s = tmp_path / "s.sieve"
    s.write_text('require "envelope";\nif envelope :is "from" "" { discard; }\n')
    r = subprocess.run([mailsift, "test", "-f", "<>", str(s), "-"], input=message("x", 1),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "actions:\n  line 2: discard\nimplicit keep: no\n"


def test_usage_errors(mailsift, rules, tmp_path):
    for args in (["test", rules], ["test", "--format=xml", rules, rules], ["run", rules],
                 ["run", "--trace", rules, rules], ["test", "--stats", rules, rules],
                 ["test", "--limit", "nonsense=1", rules, rules], ["frobnicate"]):
        r = run(mailsift, *args)
        assert r.returncode == 2, args
        assert r.stderr != ""
    r = run(mailsift, "test", rules, str(tmp_path / "none.eml"))
    assert r.returncode == 2
    assert "none.eml" in r.stderr


def test_limit_option_changes_the_outcome(mailsift, rules, tmp_path):
    m = tmp_path / "m.eml"
    m.write_text(message("bounce", 1))
    assert run(mailsift, "test", rules, str(m)).returncode == 1
    r = run(mailsift, "test", "--limit", "redirects=5", rules, str(m))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("redirect") == 5
