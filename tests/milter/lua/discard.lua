-- SPDX-License-Identifier: MIT
-- discard: when every recipient discards, the message is discarded;
-- when some do, they are removed and the others get it.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<x@void.example>")
rcpt(conn, "<y@void.example>")
eom(conn, SMFIR_DISCARD, "every recipient discards")

mail(conn, "<a@example.com>")
rcpt(conn, "<x@void.example>")
rcpt(conn, "<z@live.example>")
eom(conn, SMFIR_CONTINUE, "one recipient discards")
expect_mod(conn, "x@void.example removed", MT_RCPTDELETE, "<x@void.example>")
expect_no_mod(conn, "z@live.example stays", MT_RCPTDELETE, "<z@live.example>")
expect_unchanged(conn, "one recipient discards")
mt.disconnect(conn)
