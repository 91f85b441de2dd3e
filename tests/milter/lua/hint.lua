-- SPDX-License-Identifier: MIT
-- fileinto at SMTP time.  KEYED=1: a signed Mailsift-Hint field is added
-- (its value goes to HINTFILE, the Python side checks the MAC), a forged
-- incoming Mailsift-Hint is deleted, and a message without Message-ID
-- gets one (the hint's MAC covers it; values to HINTFILE2/MIDFILE).
-- KEYED=0: no key, so no hint and no header asked for.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
hello(conn)
if KEYED == "1" then
	expect_options(conn, {"SMFIP_NOBODY"}, {"SMFIP_NOHDRS"})
	mail(conn, "<a@example.com>")
	rcpt(conn, "<bob@example.org>")
	headers(conn, {{"From", "a@example.com"}, {"Subject", "to a folder"},
	               {"Message-ID", "<hint-test@example.com>"},
	               {"Mailsift-Hint", "v=1; rcpt=<bob@example.org>; t=1; folder=SU5CT1g; mac=forged"}})
	eom(conn, SMFIR_CONTINUE)
	expect_mod(conn, "a Mailsift-Hint field added", MT_HDRADD, "Mailsift-Hint")
	expect_mod(conn, "the incoming Mailsift-Hint deleted", MT_HDRDELETE, "Mailsift-Hint", 1)
	expect_no_mod(conn, "no Message-ID added when there is one", MT_HDRADD, "Message-ID")
	write_file(HINTFILE, mt.getheader(conn, "Mailsift-Hint", 0))
	check(mt.getheader(conn, "Mailsift-Hint", 1) == nil, "one hint only")

	mail(conn, "<a@example.com>")
	rcpt(conn, "<bob@example.org>")
	headers(conn, {{"From", "a@example.com"}, {"Subject", "no message-id"}})
	eom(conn, SMFIR_CONTINUE)
	expect_mod(conn, "a Mailsift-Hint field added", MT_HDRADD, "Mailsift-Hint")
	expect_mod(conn, "a Message-ID added", MT_HDRADD, "Message-ID")
	write_file(HINTFILE2, mt.getheader(conn, "Mailsift-Hint", 0))
	write_file(MIDFILE, mt.getheader(conn, "Message-ID", 0))
else
	expect_options(conn, {"SMFIP_NOBODY", "SMFIP_NR_HDR"}, {"SMFIP_NOHDRS"})
	mail(conn, "<a@example.com>")
	rcpt(conn, "<bob@example.org>")
	eom(conn, SMFIR_CONTINUE)
	expect_unchanged(conn, "no key")
end
mt.disconnect(conn)
