-- SPDX-License-Identifier: MIT
-- tempfail: on the envelope alone it defers the recipient at RCPT TO
-- (the Python side checks 451 4.7.1 "busy, retry"); depending on a
-- header it defers the whole message at the end with 451 4.7.1 and the
-- script's text.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<x@busy.example>", SMFIR_REPLYCODE)
rcpt(conn, "<bob@example.org>", SMFIR_CONTINUE)
headers(conn, {{"From", "a@example.com"}, {"Subject", "later please"}})
eom(conn, SMFIR_REPLYCODE, "subject with later")
expect_mod(conn, "451 4.7.1 with the script's text",
	MT_SMTPREPLY, "451", "4.7.1", "come back later")

mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>", SMFIR_CONTINUE)
headers(conn, {{"From", "a@example.com"}, {"Subject", "now"}})
eom(conn, SMFIR_CONTINUE, "subject without later")
expect_unchanged(conn, "subject without later")
mt.disconnect(conn)
