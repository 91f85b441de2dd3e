#!/bin/sh
# SPDX-License-Identifier: MIT
# Generate configure and Makefile.in. Dovecot's dovecot.m4 (dovecot-dev) is
# found in aclocal's system directory.
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf --force --install --warnings=all,no-portability
