-- SPDX-License-Identifier: MIT
-- Helpers of the miltertest scenarios (loaded with
-- dofile(LUADIR .. "/common.lua")).  miltertest does not print the
-- message of a Lua error, so fail() writes it to stderr first.
-- Globals set by tests/milter/conftest.py with -D: SOCKET, LUADIR.

function fail(msg)
	io.stderr:write("FAIL: " .. msg .. "\n")
	error(msg, 2)
end

function check(cond, msg)
	if not cond then
		fail(msg)
	end
end

-- mt.* functions raise errors for bad arguments or a stage negotiated
-- away: say which call failed before miltertest swallows the message.
for name, f in pairs(mt) do
	mt[name] = function(...)
		local r = table.pack(pcall(f, ...))
		if not r[1] then
			fail("mt." .. name .. "(): " .. tostring(r[2]))
		end
		return table.unpack(r, 2, r.n)
	end
end

-- mt.* functions return nil or an error string.
function ok(err, what)
	if err ~= nil then
		fail(what .. ": " .. tostring(err))
	end
end

local reply_names = {}
for _, n in ipairs({"SMFIR_CONTINUE", "SMFIR_ACCEPT", "SMFIR_REJECT", "SMFIR_TEMPFAIL",
                    "SMFIR_DISCARD", "SMFIR_REPLYCODE"}) do
	reply_names[_G[n]] = n
end

function reply_name(r)
	return reply_names[r] or ("reply " .. tostring(r))
end

function expect_reply(conn, want, what)
	local r = mt.getreply(conn)
	if r ~= want then
		fail(what .. ": got " .. reply_name(r) .. ", expected " .. reply_name(want))
	end
end

-- Connects and negotiates with everything offered, as Postfix does.
function open_conn()
	local conn = mt.connect(SOCKET, 50, 0.1)
	check(conn ~= nil, "cannot connect to " .. tostring(SOCKET))
	ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
	return conn
end

-- on/off: lists of SMFIP_ names the filter must have set / not set.
function expect_options(conn, on, off)
	for _, name in ipairs(on) do
		check(_G[name] ~= nil, "unknown option " .. name)
		check(mt.test_option(conn, _G[name]), "negotiated options: " .. name .. " is off, expected on")
	end
	for _, name in ipairs(off) do
		check(_G[name] ~= nil, "unknown option " .. name)
		check(not mt.test_option(conn, _G[name]), "negotiated options: " .. name .. " is on, expected off")
	end
end

function has_option(conn, name)
	return mt.test_option(conn, _G[name])
end

-- Connection information and HELO, where negotiated (a filter whose
-- RCPT-time rules read no session data takes its macros at the end).
function hello(conn, host, ip, helo)
	if not has_option(conn, "SMFIP_NOCONNECT") then
		ok(mt.conninfo(conn, host or "client.example", ip or "192.0.2.1"), "conninfo")
	end
	if not has_option(conn, "SMFIP_NOHELO") then
		ok(mt.helo(conn, helo or "client.example"), "helo")
	end
end

function mail(conn, from)
	ok(mt.mailfrom(conn, from), "MAIL FROM " .. from)
	expect_reply(conn, SMFIR_CONTINUE, "MAIL FROM " .. from)
end

function rcpt(conn, to, want)
	ok(mt.rcptto(conn, to), "RCPT TO " .. to)
	expect_reply(conn, want or SMFIR_CONTINUE, "RCPT TO " .. to)
end

-- Headers as {{name, value}, ...}; the filter must want them.
function headers(conn, list)
	check(not has_option(conn, "SMFIP_NOHDRS"), "the filter did not ask for headers")
	for _, h in ipairs(list) do
		ok(mt.header(conn, h[1], h[2]), "header " .. h[1])
	end
	if not has_option(conn, "SMFIP_NOEOH") then
		ok(mt.eoh(conn), "eoh")
	end
end

function body(conn, text)
	check(not has_option(conn, "SMFIP_NOBODY"), "the filter did not ask for the body")
	ok(mt.bodystring(conn, text), "body")
end

function eom(conn, want, what)
	ok(mt.eom(conn), "eom")
	expect_reply(conn, want, what or "end of message")
end

function expect_mod(conn, what, op, ...)
	check(mt.eom_check(conn, op, ...), what)
end

function expect_no_mod(conn, what, op, ...)
	check(not mt.eom_check(conn, op, ...), what)
end

-- The filter asked for no header or body change and no quarantine
-- (recipient changes need an address: check those one by one).
function expect_unchanged(conn, what)
	for _, op in ipairs({MT_HDRADD, MT_HDRINSERT, MT_HDRCHANGE, MT_BODYCHANGE}) do
		check(not mt.eom_check(conn, op), what .. ": unexpected change (check " .. op .. ")")
	end
	check(not mt.eom_check(conn, MT_QUARANTINE), what .. ": unexpected quarantine")
end

-- A file the Python side reads (e.g. a header value to verify).
function write_file(path, text)
	local f = assert(io.open(path, "w"))
	f:write(text)
	f:close()
end

function file_exists(path)
	local f = io.open(path, "r")
	if f ~= nil then
		f:close()
		return true
	end
	return false
end
