-- sigterm_in_flight.lua: SIGTERM while a message to a report address is in flight. The script
-- starts its own milter (-D milter=BINARY -D conf=FILE, listening on -D sock). After the
-- signal, a further report address gets 451 4.3.2 at RCPT, an ordinary one is still taken,
-- and the message in flight is finished (stored, discarded) before the milter exits.
dofile(dir .. "/common.lua")
run(function()
    mt.startfilter(milter, "-f", "-c", conf)
    local conn = connect()
    envelope(conn, "MTQTERM1", {"<tlsrpt@example.test>"})
    mt.signal(15)
    mt.sleep(0.5)
    ok(mt.rcptto(conn, "<tlsrpt+late@example.test>"), "rcptto after SIGTERM")
    check(mt.getreply(conn) == SMFIR_REPLYCODE, "late report address: 451 4.3.2")
    ok(mt.rcptto(conn, "<alice@example.test>"), "rcptto alice")
    check(mt.getreply(conn) == SMFIR_CONTINUE, "ordinary recipient still taken")
    check(send_message(conn, report) == SMFIR_ACCEPT, "message in flight finished")
    check(mt.eom_check(conn, MT_RCPTDELETE, "<tlsrpt@example.test>"), "report address removed")
end)
