-- SPDX-License-Identifier: MIT
-- A runtime error in the script: ON_ERROR=tempfail defers the message
-- with 451 4.3.0 and error_text; ON_ERROR=accept lets it through with no
-- change.  CALM=1: a second message that does not trip the error is
-- accepted either way.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>")
headers(conn, {{"From", "a@example.com"}, {"Subject", "boom"}})
if ON_ERROR == "tempfail" then
	eom(conn, SMFIR_REPLYCODE, "runtime error, on_error = tempfail")
	expect_mod(conn, "451 4.3.0 and error_text", MT_SMTPREPLY, "451", "4.3.0",
		"Temporary local problem, try again later")
else
	eom(conn, SMFIR_CONTINUE, "runtime error, on_error = accept")
	expect_unchanged(conn, "runtime error, on_error = accept")
end

if CALM == "1" then
	mail(conn, "<a@example.com>")
	rcpt(conn, "<bob@example.org>")
	headers(conn, {{"From", "a@example.com"}, {"Subject", "calm"}})
	eom(conn, SMFIR_CONTINUE, "no error")
	expect_mod(conn, "the rules ran", MT_HDRINSERT, "X-Ran", "yes")
end
mt.disconnect(conn)
