-- all_report_rcpts_discard.lua: every recipient is a report address: the message is
-- discarded (not emptied of recipients and accepted).
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    envelope(conn, "MTQALL1", {"<tlsrpt@example.test>", "<tlsrpt+x@example.test>"})
    check(send_message(conn, report) == SMFIR_DISCARD, "discarded")
    check(not mt.eom_check(conn, MT_RCPTDELETE, "<tlsrpt@example.test>"), "no deletion")
    mt.disconnect(conn)
end)
