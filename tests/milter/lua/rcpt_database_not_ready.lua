-- rcpt_database_not_ready.lua: the milter runs but its database has no schema yet. RCPT has no
-- reply of its own (SMFIP_NR_RCPT), so a message with a report address gets 451 4.3.0 at DATA
-- (the sender retries later); a message for ordinary recipients only is accepted at DATA.
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    envelope(conn, "MTQNOTREADY", {"<tlsrpt@example.test>", "<alice@example.test>"})
    ok(mt.data(conn), "data")
    check(mt.getreply(conn) == SMFIR_REPLYCODE, "report address: 451 4.3.0 at DATA")
    mt.disconnect(conn)
    local other = connect()
    envelope(other, "MTQOTHER", {"<alice@example.test>"})
    ok(mt.data(other), "data of ordinary mail")
    check(mt.getreply(other) == SMFIR_ACCEPT, "ordinary mail accepted at DATA")
    mt.disconnect(other)
end)
