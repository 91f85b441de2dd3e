-- SPDX-License-Identifier: MIT
-- A connection keeps the program it negotiated with: one message under
-- the rules OLD, then (PHASEFILE written, waiting for GOFILE while the
-- Python side reloads the rules NEW) a second message on the same
-- connection still under OLD, and a new connection under NEW.
dofile(LUADIR .. "/common.lua")

local function probe(conn, expect, what)
	mail(conn, "<a@example.com>")
	rcpt(conn, "<bob@example.org>")
	headers(conn, {{"From", "a@example.com"}, {"Subject", "which rules?"}})
	eom(conn, SMFIR_REPLYCODE, what)
	expect_mod(conn, what .. ": refused by the rules " .. expect,
		MT_SMTPREPLY, "550", "5.7.1", expect)
end

local conn = open_conn()
hello(conn)
probe(conn, OLD, "before the reload")
write_file(PHASEFILE, "1")
local waited = 0
while not file_exists(GOFILE) do
	check(waited < 200, "the Python side never reloaded")
	mt.sleep(0.05)
	waited = waited + 1
end
probe(conn, OLD, "same connection after the reload")
mt.disconnect(conn)

local conn2 = open_conn()
hello(conn2)
probe(conn2, NEW, "new connection after the reload")
mt.disconnect(conn2)
