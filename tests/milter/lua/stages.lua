-- SPDX-License-Identifier: MIT
-- Every stage a script can read: connect (remote-ip, macro j), HELO,
-- MAIL (macros {tls_version}, {auth_authen}), RCPT, headers, body, end
-- of message.  The filter must ask for all of them (and not wait on the
-- answers to connect/helo/mail/header/body), and a rule on each stage's
-- data must fire.  Pairs with STAGES in test_miltertest.py.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
expect_options(conn,
	{"SMFIP_NR_CONN", "SMFIP_NR_HELO", "SMFIP_NR_MAIL", "SMFIP_NR_HDR", "SMFIP_NR_BODY",
	 "SMFIP_NODATA", "SMFIP_NOUNKNOWN", "SMFIP_NOEOH"},
	{"SMFIP_NOCONNECT", "SMFIP_NOHELO", "SMFIP_NOMAIL", "SMFIP_NORCPT", "SMFIP_NOHDRS",
	 "SMFIP_NOBODY", "SMFIP_NR_RCPT"})
check(mt.test_action(conn, SMFIF_ADDHDRS), "the filter did not ask to add headers")
check(mt.test_action(conn, SMFIF_CHGHDRS), "the filter did not ask to change headers")

ok(mt.macro(conn, SMFIC_CONNECT, "j", "mx.example.net", "{client_addr}", "192.0.2.1"), "macro j")
ok(mt.conninfo(conn, "client.example", "192.0.2.1"), "conninfo")
ok(mt.helo(conn, "helo.client.example"), "helo")
ok(mt.macro(conn, SMFIC_MAIL, "{tls_version}", "TLSv1.3", "{auth_authen}", "alice",
            "i", "4XyZ1"), "MAIL macros")
mail(conn, "<sender@example.com>")
rcpt(conn, "<bob@example.org>")
headers(conn, {{"From", "Sender <sender@example.com>"},
               {"To", "bob@example.org"},
               {"Subject", "stage test 42"},
               {"Message-ID", "<stages@example.com>"}})
body(conn, "first line\r\nthe magic-word is here\r\n")
eom(conn, SMFIR_CONTINUE)

expect_mod(conn, "X-Env with the connection's data",
	MT_HDRINSERT, "X-Env", "ip=192.0.2.1 helo=helo.client.example tls=yes auth=alice host=mx.example.net")
expect_mod(conn, "X-Envelope with MAIL FROM and RCPT TO",
	MT_HDRINSERT, "X-Envelope", "from=sender@example.com to=bob@example.org")
expect_mod(conn, "X-Subject from the Subject header",
	MT_HDRINSERT, "X-Subject", "stage test 42")
expect_mod(conn, "X-Body from the body test", MT_HDRINSERT, "X-Body", "yes")
-- addheader without :last puts each field on top: the last one added
-- is first.
expect_mod(conn, "X-Body inserted at index 0", MT_HDRINSERT, "X-Body", "yes", 0)
expect_mod(conn, "X-Env inserted at index 3", MT_HDRINSERT, "X-Env",
	"ip=192.0.2.1 helo=helo.client.example tls=yes auth=alice host=mx.example.net", 3)
expect_no_mod(conn, "no field added at the end", MT_HDRADD)
expect_no_mod(conn, "no field changed or deleted", MT_HDRCHANGE)

-- A second transaction on the same connection, without TLS or AUTH.
ok(mt.macro(conn, SMFIC_MAIL, "i", "4XyZ2"), "MAIL macros")
mail(conn, "<other@example.com>")
rcpt(conn, "<carol@example.org>")
headers(conn, {{"From", "other@example.com"}, {"Subject", "second"}})
body(conn, "nothing to see\r\n")
eom(conn, SMFIR_CONTINUE, "second message")
expect_mod(conn, "X-Env without TLS and AUTH",
	MT_HDRINSERT, "X-Env", "ip=192.0.2.1 helo=helo.client.example tls=no auth= host=mx.example.net")
expect_no_mod(conn, "no X-Body without the magic word", MT_HDRINSERT, "X-Body")
mt.disconnect(conn)
