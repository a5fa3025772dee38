-- no_report_rcpt.lua: mail to nobody in ReportAddresses is accepted at DATA, before any
-- header is sent; a second message on the same connection is judged afresh.
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    envelope(conn, "MTQPLAIN1", {"<alice@example.test>"})
    ok(mt.data(conn), "data")
    check(mt.getreply(conn) == SMFIR_ACCEPT, "accepted at DATA")
    envelope(conn, "MTQPLAIN2", {"<tlsrpt@example.test>"})
    check(send_message(conn, report) == SMFIR_DISCARD, "second message stored and discarded")
    mt.disconnect(conn)
end)
