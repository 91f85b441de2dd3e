-- SPDX-License-Identifier: MIT
-- ereject on the envelope alone is decided at RCPT TO: the recipient at
-- old.example gets a reply code (550 5.7.1 "moved", checked by the
-- Python side), the other one goes on and the message is accepted for
-- it without any change.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
expect_options(conn, {"SMFIP_NOBODY", "SMFIP_NOHELO", "SMFIP_NR_HDR"},
	{"SMFIP_NR_RCPT", "SMFIP_NOHDRS"})
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<x@old.example>", SMFIR_REPLYCODE)
rcpt(conn, "<y@new.example>", SMFIR_CONTINUE)
eom(conn, SMFIR_CONTINUE)
expect_unchanged(conn, "accepted for y@new.example")
expect_no_mod(conn, "y@new.example stays", MT_RCPTDELETE, "<y@new.example>")
expect_no_mod(conn, "x@old.example was never accepted", MT_RCPTDELETE, "<x@old.example>")
mt.disconnect(conn)
