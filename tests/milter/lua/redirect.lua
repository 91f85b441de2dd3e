-- SPDX-License-Identifier: MIT
-- redirect: the new address is added, the original recipient removed,
-- and Mailsift-Redirected names the new address; redirect :copy keeps
-- the original; a message that already went through the redirect (its
-- Mailsift-Redirected names the target) is kept, not sent round again.
dofile(LUADIR .. "/common.lua")

local function send(conn, to, extra)
	mail(conn, "<a@example.com>")
	rcpt(conn, to)
	local h = {{"From", "a@example.com"}, {"Subject", "forward me"}}
	if extra ~= nil then
		table.insert(h, extra)
	end
	headers(conn, h)
	eom(conn, SMFIR_CONTINUE, "RCPT TO " .. to)
end

local conn = open_conn()
check(mt.test_action(conn, SMFIF_ADDRCPT), "the filter did not ask to add recipients")
check(mt.test_action(conn, SMFIF_DELRCPT), "the filter did not ask to remove recipients")
hello(conn)

send(conn, "<fwd@example.org>")
expect_mod(conn, "redirect target added", MT_RCPTADD, "<elsewhere@example.net>")
expect_mod(conn, "original recipient removed", MT_RCPTDELETE, "<fwd@example.org>")
expect_mod(conn, "Mailsift-Redirected added",
	MT_HDRADD, "Mailsift-Redirected", "<elsewhere@example.net>")

send(conn, "<cc@example.org>")
expect_mod(conn, ":copy target added", MT_RCPTADD, "<archive@example.net>")
expect_no_mod(conn, ":copy keeps the original", MT_RCPTDELETE, "<cc@example.org>")
expect_mod(conn, ":copy: Mailsift-Redirected added",
	MT_HDRADD, "Mailsift-Redirected", "<archive@example.net>")

send(conn, "<fwd@example.org>", {"Mailsift-Redirected", "<elsewhere@example.net>"})
expect_no_mod(conn, "loop: no recipient added", MT_RCPTADD, "<elsewhere@example.net>")
expect_no_mod(conn, "loop: the original is kept", MT_RCPTDELETE, "<fwd@example.org>")
mt.disconnect(conn)
