-- common.lua: helpers for the miltertest scripts beside it. Each script is run as
--   miltertest -D dir=THIS_DIR -D sock=inet:PORT@HOST -D report=FILE.eml -s SCRIPT
-- and exits 0 when every check held; otherwise it prints "check failed: ..." and exits 1.
-- (A Lua error would make miltertest exit 1 silently: run() wraps the script in pcall.)

-- Fails the script with a message.
function check(cond, what)
    if not cond then error("check failed: " .. what, 0) end
end

-- Checks a libmilter call returned nil (success).
function ok(result, what)
    check(result == nil, what .. ": " .. tostring(result))
end

-- Reads a whole file.
function slurp(path)
    local f = assert(io.open(path, "rb"))
    local data = f:read("*a")
    f:close()
    return data
end

-- Splits an RFC 5322 message into {name, value} header pairs (unfolded) and the body.
function split_message(text)
    text = text:gsub("\r\n", "\n")
    local head, body = text:match("^(.-)\n\n(.*)$")
    if not head then head, body = text, "" end
    local headers = {}
    for line in (head .. "\n"):gmatch("(.-)\n") do
        if line:match("^[ \t]") and #headers > 0 then
            headers[#headers][2] = headers[#headers][2] .. "\r\n" .. line
        else
            local name, value = line:match("^([^:]+):[ \t]?(.*)$")
            if name then headers[#headers + 1] = {name, value} end
        end
    end
    return headers, (body:gsub("\n", "\r\n"))
end

-- Connects and negotiates (the MTA offers every action and step). No conninfo: the
-- milter asks for SMFIP_NOCONNECT.
function connect()
    local conn = mt.connect(sock, 20, 0.25)
    check(conn ~= nil, "mt.connect(" .. sock .. ")")
    ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
    return conn
end

-- MAIL FROM with a queue id macro, then each RCPT TO (neither has a reply).
function envelope(conn, queue_id, rcpts)
    ok(mt.macro(conn, SMFIC_MAIL, "i", queue_id), "macro i")
    ok(mt.mailfrom(conn, "<reports@reporter.example>"), "mailfrom") -- no reply: SMFIP_NR_MAIL
    for _, r in ipairs(rcpts) do ok(mt.rcptto(conn, r), "rcptto " .. r) end -- SMFIP_NR_RCPT
end

-- Sends DATA, then the headers and body of a message file; returns the last reply.
function send_message(conn, path)
    ok(mt.data(conn), "data")
    return send_content(conn, path)
end

-- Sends the headers and body of a message file (after DATA); returns the last reply.
function send_content(conn, path)
    local headers, body = split_message(slurp(path))
    for _, h in ipairs(headers) do ok(mt.header(conn, h[1], h[2]), "header " .. h[1]) end
    ok(mt.eoh(conn), "eoh")
    if #body > 0 then ok(mt.bodystring(conn, body), "body") end
    ok(mt.eom(conn), "eom")
    return mt.getreply(conn)
end

-- Runs a test body; prints the failure and exits 1 when it raised.
function run(body)
    local good, err = pcall(body)
    if not good then
        mt.echo(tostring(err))
        os.exit(1)
    end
    os.exit(0)
end
