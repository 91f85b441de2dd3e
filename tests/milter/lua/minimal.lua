-- SPDX-License-Identifier: MIT
-- An envelope-only script: the filter asks for no connect, no HELO and no
-- body (the session's macros come at the end), and not to be waited on
-- at MAIL and each header field (headers
-- are always seen: incoming Mailsift-Hint fields are always deleted);
-- RCPT TO still gets an answer.  Its rule (discard mail from
-- spam.example) acts.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
expect_options(conn,
	{"SMFIP_NOCONNECT", "SMFIP_NOHELO", "SMFIP_NOBODY", "SMFIP_NOEOH", "SMFIP_NODATA",
	 "SMFIP_NOUNKNOWN", "SMFIP_NR_MAIL", "SMFIP_NR_HDR"},
	{"SMFIP_NOMAIL", "SMFIP_NORCPT", "SMFIP_NR_RCPT", "SMFIP_NOHDRS"})
hello(conn)
mail(conn, "<bulk@spam.example>")
rcpt(conn, "<bob@example.org>")
eom(conn, SMFIR_DISCARD, "mail from spam.example")

mail(conn, "<friend@good.example>")
rcpt(conn, "<bob@example.org>")
eom(conn, SMFIR_CONTINUE, "mail from good.example")
expect_unchanged(conn, "mail from good.example")
expect_no_mod(conn, "nobody removed", MT_RCPTDELETE, "<bob@example.org>")
mt.disconnect(conn)
