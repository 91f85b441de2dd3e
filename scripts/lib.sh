# SPDX-License-Identifier: MIT
# Shell helpers shared by scripts/check and scripts/demo (sourced, not run):
# the Debian packages the project needs, their quiet idempotent install, and
# the out-of-tree autotools builds under _build/.

# Every Debian package the build, the tests and the demo need.  Later work
# adds to this one list.
SIFT_PACKAGES="build-essential autoconf automake libtool pkg-config libpcre2-dev libssl-dev
libmilter-dev dovecot-dev libcmocka-dev clang libclang-rt-14-dev python3 python3-pytest
dovecot-sieve dovecot-core dovecot-imapd dovecot-lmtpd postfix miltertest"

# Debian's Python: a pyenv python3 may come first on PATH, without pytest.
SIFT_PYTHON=/usr/bin/python3

SIFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIFT_BUILD=$SIFT_ROOT/_build

# sift_missing_packages: prints the packages of SIFT_PACKAGES not installed.
sift_missing_packages() {
	local p
	for p in $SIFT_PACKAGES; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || echo "$p"
	done
}

# sift_install_packages LOG: installs what is missing with apt-get, quietly;
# prints what it installs, and the apt log when that fails.  Returns 1 on
# failure.
sift_install_packages() {
	local log=$1 missing sudo=""
	if ! command -v dpkg-query >/dev/null; then
		echo "not a Debian system: install by hand: $(echo $SIFT_PACKAGES)"
		return 1
	fi
	missing=$(sift_missing_packages)
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null; then
			sudo="sudo"
		else
			echo "missing packages and not root: apt-get install" $missing
			return 1
		fi
	fi
	echo "installing Debian packages:" $missing
	mkdir -p "$(dirname "$log")"
	# Postfix is installed unconfigured: the tests run private instances
	# (postfix -c DIR) and never the system's own.
	if command -v debconf-set-selections >/dev/null; then
		echo "postfix postfix/main_mailer_type select No configuration" |
			$sudo debconf-set-selections 2>/dev/null
	fi
	if ! { $sudo apt-get update -qq &&
	       $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $missing; } >"$log" 2>&1; then
		cat "$log"
		echo "apt-get failed (log: $log)"
		return 1
	fi
	missing=$(sift_missing_packages)
	if [ -n "$missing" ]; then
		echo "still missing after apt-get:" $missing "(log: $log)"
		return 1
	fi
}

# The unprivileged account the Pigeonhole differential tests run sieve-test
# as: sieve-test refuses to run as root (tests/sieve/pigeonhole.py).
SIFT_TEST_ACCOUNT=mailsift-test

# sift_test_account: as root, makes SIFT_TEST_ACCOUNT (a system account and
# group, no home, no login shell) unless it exists; does nothing for other
# users, who run sieve-test as themselves.  Returns 1 when it cannot.
sift_test_account() {
	local shell=/usr/sbin/nologin
	[ "$(id -u)" = 0 ] || return 0
	getent passwd "$SIFT_TEST_ACCOUNT" >/dev/null && return 0
	if ! command -v useradd >/dev/null; then
		echo "no useradd: cannot make the account $SIFT_TEST_ACCOUNT"
		return 1
	fi
	[ -x "$shell" ] || shell=/bin/false
	if useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell "$shell" --comment "mailsift tests" "$SIFT_TEST_ACCOUNT" 2>&1; then
		echo "made the system account $SIFT_TEST_ACCOUNT (sieve-test runs as it)"
	else
		# A concurrent run may have made it meanwhile.
		getent passwd "$SIFT_TEST_ACCOUNT" >/dev/null
	fi
}

# sift_in_place_check: VPATH builds need a source tree never configured in
# place.  Prints how to fix it and returns 1 when it was.
sift_in_place_check() {
	if [ -f "$SIFT_ROOT/config.status" ]; then
		echo "The source tree was configured in place ($SIFT_ROOT/config.status exists)."
		echo "Builds under _build/ need a clean source tree: run 'make distclean' in"
		echo "$SIFT_ROOT, then run this script again."
		return 1
	fi
}

# sift_autogen LOG: runs autogen.sh when configure is missing or older than
# what it is made from.
sift_autogen() {
	local log=$1
	if [ -x "$SIFT_ROOT/configure" ] && [ -f "$SIFT_ROOT/Makefile.in" ] &&
	   [ -z "$(cd "$SIFT_ROOT" && find configure.ac Makefile.am autogen.sh m4 \
			-newer configure 2>/dev/null | head -n 1)" ] &&
	   [ "$SIFT_ROOT/Makefile.in" -nt "$SIFT_ROOT/Makefile.am" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$log")"
	(cd "$SIFT_ROOT" && ./autogen.sh) >"$log" 2>&1
}

# sift_configure DIR ARGS...: configures build directory DIR (made if
# needed) with ARGS, unless it already was with the same ARGS since
# configure last changed.  Output goes to DIR/configure.log.
sift_configure() {
	local dir=$1
	shift
	mkdir -p "$dir"
	if [ -f "$dir/config.status" ] && [ "$dir/config.status" -nt "$SIFT_ROOT/configure" ] &&
	   [ "$(cat "$dir/.sift-configure-args" 2>/dev/null)" = "$*" ]; then
		return 0
	fi
	rm -f "$dir/.sift-configure-args"
	(cd "$dir" && "$SIFT_ROOT/configure" "$@") >"$dir/configure.log" 2>&1 || return 1
	echo "$*" >"$dir/.sift-configure-args"
}

# sift_make_var DIR VAR: prints the value of a make variable of DIR's Makefile.
sift_make_var() {
	printf 'sift-print-var:\n\t@echo $(%s)\n' "$2" |
		make -s --no-print-directory -C "$1" -f Makefile -f - sift-print-var 2>/dev/null
}

# The main build (warnings are errors), shared by check and demo.
SIFT_CHECK_DIR=$SIFT_BUILD/check
SIFT_CHECK_ARGS="--enable-werror"

# sift_elapsed START: seconds since START (a $SECONDS value).
sift_elapsed() {
	echo $((SECONDS - $1))
}
