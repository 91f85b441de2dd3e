-- SPDX-License-Identifier: MIT
-- Three recipients, the rules refuse one of them at the end of the
-- message (it depends on the subject, so not at RCPT TO): the message
-- is accepted, that recipient alone is removed (the Python side checks
-- the DSN).  With the null sender the same happens without a DSN; with
-- another subject nobody is removed.
dofile(LUADIR .. "/common.lua")

local function send(conn, from, subject)
	ok(mt.macro(conn, SMFIC_MAIL, "i", "Q" .. subject:sub(1, 4)), "MAIL macros")
	mail(conn, from)
	rcpt(conn, "<a@keep.example>")
	rcpt(conn, "<b@refuse.example>")
	rcpt(conn, "<c@keep.example>")
	headers(conn, {{"From", "Sender <sender@example.com>"}, {"Subject", subject},
	               {"Message-ID", "<per-rcpt@example.com>"}})
	eom(conn, SMFIR_CONTINUE, subject)
end

local conn = open_conn()
ok(mt.macro(conn, SMFIC_CONNECT, "j", "mx.example.net"), "macro j")
hello(conn)

send(conn, "<sender@example.com>", "quarterly report")
expect_mod(conn, "b@refuse.example removed", MT_RCPTDELETE, "<b@refuse.example>")
expect_no_mod(conn, "a@keep.example stays", MT_RCPTDELETE, "<a@keep.example>")
expect_no_mod(conn, "c@keep.example stays", MT_RCPTDELETE, "<c@keep.example>")
expect_unchanged(conn, "quarterly report")

send(conn, "<>", "weekly report")
expect_mod(conn, "null sender: b@refuse.example removed", MT_RCPTDELETE, "<b@refuse.example>")
expect_no_mod(conn, "null sender: a@keep.example stays", MT_RCPTDELETE, "<a@keep.example>")

send(conn, "<sender@example.com>", "lunch")
expect_no_mod(conn, "lunch: b@refuse.example stays", MT_RCPTDELETE, "<b@refuse.example>")
expect_unchanged(conn, "lunch")
mt.disconnect(conn)
