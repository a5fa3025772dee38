-- sigterm_in_flight.lua: SIGTERM while a message to a report address is in flight. The script
-- starts its own milter (-D milter=BINARY -D conf=FILE, listening on -D sock). After the
-- signal, the message admitted before it is finished (stored, the report address removed)
-- before the milter exits; a message to a report address that was not yet admitted gets
-- 451 4.3.2 at DATA (RCPT has no reply of its own: SMFIP_NR_RCPT), so its sender retries.
dofile(dir .. "/common.lua")
run(function()
    mt.startfilter(milter, "-f", "-c", conf)
    local conn = connect()
    local late = connect()
    envelope(conn, "MTQTERM1", {"<tlsrpt@example.test>", "<alice@example.test>"})
    ok(mt.data(conn), "data") -- the first step with a reply: the envelope has been taken
    check(mt.getreply(conn) == SMFIR_CONTINUE, "admitted before the signal")
    mt.signal(15)
    mt.sleep(0.5)
    envelope(late, "MTQTERM2", {"<tlsrpt@example.test>"})
    ok(mt.data(late), "data of the message not yet admitted")
    check(mt.getreply(late) == SMFIR_REPLYCODE, "message not yet admitted: 451 4.3.2 at DATA")
    check(send_content(conn, report) == SMFIR_ACCEPT, "message in flight finished")
    check(mt.eom_check(conn, MT_RCPTDELETE, "<tlsrpt@example.test>"), "report address removed")
end)
