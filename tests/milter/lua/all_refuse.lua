-- SPDX-License-Identifier: MIT
-- Every recipient refuses at the end of the message: the message itself
-- is refused with 550 5.7.1 and the script's text; nobody is removed
-- one by one.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>")
rcpt(conn, "<carol@example.net>")
headers(conn, {{"From", "a@example.com"}, {"Subject", "buy spam now"}})
eom(conn, SMFIR_REPLYCODE, "every recipient refuses")
expect_mod(conn, "550 5.7.1 with the script's text",
	MT_SMTPREPLY, "550", "5.7.1", "no spam here, thanks")
expect_no_mod(conn, "bob is not removed one by one", MT_RCPTDELETE, "<bob@example.org>")
mt.disconnect(conn)
