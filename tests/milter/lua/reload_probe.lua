-- SPDX-License-Identifier: MIT
-- One new connection, one message: the rules in force refuse it with
-- 550 5.7.1 and the text EXPECT (each reload test script says
-- ereject "<its name>").
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>")
headers(conn, {{"From", "a@example.com"}, {"Subject", "which rules?"}})
eom(conn, SMFIR_REPLYCODE, "the probe message")
expect_mod(conn, "refused by the rules " .. EXPECT, MT_SMTPREPLY, "550", "5.7.1", EXPECT)
mt.disconnect(conn)
