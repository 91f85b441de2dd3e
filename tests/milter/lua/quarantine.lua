-- SPDX-License-Identifier: MIT
-- quarantine "reason": the message is accepted and put on hold with the
-- reason; another message is left alone.
dofile(LUADIR .. "/common.lua")

local conn = open_conn()
check(mt.test_action(conn, SMFIF_QUARANTINE), "the filter did not ask to quarantine")
hello(conn)
mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>")
headers(conn, {{"From", "a@example.com"}, {"Subject", "your invoice"}})
eom(conn, SMFIR_CONTINUE)
expect_mod(conn, "quarantined with the reason", MT_QUARANTINE, "suspicious invoice")

mail(conn, "<a@example.com>")
rcpt(conn, "<bob@example.org>")
headers(conn, {{"From", "a@example.com"}, {"Subject", "hi"}})
eom(conn, SMFIR_CONTINUE)
expect_unchanged(conn, "not quarantined")
mt.disconnect(conn)
