-- send_reports.lua: sends each report email listed in a file to the milter, one SMTP
-- transaction (one milter connection) each, and prints "reply FILE WORD" per message: discard
-- or accept (the sender got a 250), tempfail or replycode (a 4xx: the sender retries), or the
-- reply code. Run as
--   miltertest -D dir=tests/milter/lua -D sock=inet:PORT@127.0.0.1 -D list=FILE -s THIS
dofile(dir .. "/common.lua")

local words = {[SMFIR_DISCARD] = "discard", [SMFIR_ACCEPT] = "accept",
               [SMFIR_TEMPFAIL] = "tempfail", [SMFIR_REPLYCODE] = "replycode",
               [SMFIR_REJECT] = "reject", [SMFIR_CONTINUE] = "continue"}

run(function()
    local n = 0
    for path in io.lines(list) do
        n = n + 1
        local conn = connect()
        envelope(conn, "SCALE" .. n, {"<tlsrpt@example.test>"})
        local reply = send_message(conn, path)
        mt.echo("reply " .. path .. " " .. (words[reply] or tostring(reply)))
        mt.disconnect(conn)
    end
end)
