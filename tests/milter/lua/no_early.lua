-- SPDX-License-Identifier: MIT
-- A header test could save the message from the ereject, so nothing is
-- decided at RCPT TO; at the end the subject decides: without "x" the
-- message is refused with 550 5.7.1 "no", with it accepted.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
expect_options(conn, {"SMFIP_NOBODY", "SMFIP_NR_HDR"}, {"SMFIP_NOHDRS", "SMFIP_NR_RCPT"})
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>", SMFIR_CONTINUE)
headers(conn, {{"From", "a@example.com"}, {"Subject", "hello"}})
eom(conn, SMFIR_REPLYCODE, "subject without x")
expect_mod(conn, "550 5.7.1 no", MT_SMTPREPLY, "550", "5.7.1", "no")

mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>", SMFIR_CONTINUE)
headers(conn, {{"From", "a@example.com"}, {"Subject", "merry xmas"}})
eom(conn, SMFIR_CONTINUE, "subject with x")
expect_unchanged(conn, "subject with x")
mt.disconnect(conn)
