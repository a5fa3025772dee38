-- negotiation.lua: what the milter asks of the MTA: permission to delete recipients, and to
-- skip the steps it does not use (connection info, HELO, unknown commands) and the replies it
-- does not need (MAIL, RCPT, each header, end of headers), and its own short macro lists.
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    check(mt.test_action(conn, SMFIF_DELRCPT), "SMFIF_DELRCPT requested")
    check(not mt.test_action(conn, SMFIF_ADDHDRS), "no header changes requested")
    check(mt.test_option(conn, SMFIP_NOCONNECT), "SMFIP_NOCONNECT")
    check(mt.test_option(conn, SMFIP_NOHELO), "SMFIP_NOHELO")
    check(mt.test_option(conn, SMFIP_NR_MAIL), "SMFIP_NR_MAIL")
    check(mt.test_option(conn, SMFIP_NR_HDR), "SMFIP_NR_HDR")
    check(mt.test_option(conn, SMFIP_NR_EOH), "SMFIP_NR_EOH")
    check(mt.test_option(conn, SMFIP_NR_RCPT), "SMFIP_NR_RCPT (a refusal waits for DATA)")
    check(mt.test_action(conn, SMFIF_SETSYMLIST), "SMFIF_SETSYMLIST (only the macros it uses)")
    check(not mt.test_option(conn, SMFIP_NODATA), "DATA step kept (early accept)")
    mt.disconnect(conn)
end)
