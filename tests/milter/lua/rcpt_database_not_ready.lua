-- rcpt_database_not_ready.lua: the milter runs but its database has no schema yet: a report
-- address gets 451 4.3.0 at RCPT (the sender retries later), an ordinary recipient is taken.
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    ok(mt.macro(conn, SMFIC_MAIL, "i", "MTQNOTREADY"), "macro i")
    ok(mt.mailfrom(conn, "<reports@reporter.example>"), "mailfrom")
    ok(mt.rcptto(conn, "<tlsrpt@example.test>"), "rcptto report address")
    check(mt.getreply(conn) == SMFIR_REPLYCODE, "report address: 451 4.3.0")
    ok(mt.rcptto(conn, "<alice@example.test>"), "rcptto alice")
    check(mt.getreply(conn) == SMFIR_CONTINUE, "ordinary recipient taken")
    mt.disconnect(conn)
end)
