-- oversize.lua: a body crossing MaxMessageSize (the test config sets 1M) is answered 552 at
-- once, during the body, not at end of message.
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    envelope(conn, "MTQBIG1", {"<tlsrpt@example.test>"})
    ok(mt.data(conn), "data")
    ok(mt.header(conn, "Subject", "big"), "header")
    ok(mt.eoh(conn), "eoh")
    local chunk = string.rep("x", 65000) .. "\r\n"
    local replied = nil
    for i = 1, 40 do
        ok(mt.bodystring(conn, chunk), "body chunk " .. i)
        local r = mt.getreply(conn)
        if r ~= SMFIR_CONTINUE then
            replied = r
            break
        end
    end
    check(replied == SMFIR_REPLYCODE, "552 reply during the body, got " .. tostring(replied))
    mt.disconnect(conn)
end)
