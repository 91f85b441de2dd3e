-- SPDX-License-Identifier: MIT
-- editheader: addheader goes on top (insert at index 0), addheader :last
-- at the end, deleteheader removes each field of that name by its index
-- among the fields of the name.  Two recipients whose rules ask for
-- different edits get none of them; two that agree get them.
dofile(LUADIR .. "/common.lua")

local function send(conn, rcpts)
	mail(conn, "<a@example.com>")
	for _, r in ipairs(rcpts) do
		rcpt(conn, r)
	end
	headers(conn, {{"From", "a@example.com"}, {"X-Remove", "one"}, {"Subject", "edits"},
	               {"X-Remove", "two"}, {"X-Keep", "kept"}})
	eom(conn, SMFIR_CONTINUE)
end

local conn = open_conn()
expect_options(conn, {"SMFIP_NOBODY"}, {"SMFIP_NOHDRS"})
hello(conn)

send(conn, {"<bob@example.org>"})
expect_mod(conn, "X-Top inserted at index 0", MT_HDRINSERT, "X-Top", "on top", 0)
expect_mod(conn, "X-Bottom added at the end", MT_HDRADD, "X-Bottom", "at the end")
expect_mod(conn, "first X-Remove deleted", MT_HDRDELETE, "X-Remove", 1)
expect_mod(conn, "second X-Remove deleted", MT_HDRDELETE, "X-Remove", 2)
expect_no_mod(conn, "no third X-Remove", MT_HDRDELETE, "X-Remove", 3)
expect_no_mod(conn, "X-Keep kept", MT_HDRDELETE, "X-Keep")
expect_no_mod(conn, "From kept", MT_HDRDELETE, "From")
expect_no_mod(conn, "X-A only for a.example", MT_HDRINSERT, "X-A")

send(conn, {"<x@a.example>", "<y@b.example>"})
expect_no_mod(conn, "disagreeing recipients: nothing inserted", MT_HDRINSERT)
expect_no_mod(conn, "disagreeing recipients: nothing added", MT_HDRADD)
expect_no_mod(conn, "disagreeing recipients: nothing deleted", MT_HDRCHANGE)

send(conn, {"<x@a.example>", "<z@a.example>"})
expect_mod(conn, "agreeing recipients: X-A", MT_HDRINSERT, "X-A", "only for a.example", 0)
expect_mod(conn, "agreeing recipients: X-Top", MT_HDRINSERT, "X-Top", "on top", 1)
expect_mod(conn, "agreeing recipients: X-Remove deleted", MT_HDRDELETE, "X-Remove", 2)
mt.disconnect(conn)
