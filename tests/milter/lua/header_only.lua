-- header_only.lua: a message to the report address with headers and no body at all holds no
-- report: with OnInvalid quarantine it is kept in tlsrpt.rejected_messages and discarded.
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    envelope(conn, "MTQHDR1", {"<tlsrpt@example.test>"})
    ok(mt.data(conn), "data")
    ok(mt.header(conn, "From", "reports@reporter.example"), "header")
    ok(mt.header(conn, "Subject", "header only"), "header")
    ok(mt.eoh(conn), "eoh")
    ok(mt.eom(conn), "eom")
    check(mt.getreply(conn) == SMFIR_DISCARD, "discarded after quarantine")
    mt.disconnect(conn)
end)
