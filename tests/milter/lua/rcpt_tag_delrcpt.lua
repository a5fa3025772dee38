-- rcpt_tag_delrcpt.lua: a "+tag", upper-case report address next to an ordinary recipient:
-- the report is stored, only the report address is deleted (MT_RCPTDELETE), the message is
-- accepted for the other recipient.
dofile(dir .. "/common.lua")
run(function()
    local conn = connect()
    envelope(conn, "MTQTAG1", {"<TLSRPT+Google@Example.TEST>", "<alice@example.test>"})
    check(send_message(conn, report) == SMFIR_ACCEPT, "accepted for alice")
    check(mt.eom_check(conn, MT_RCPTDELETE, "<TLSRPT+Google@Example.TEST>"),
          "report address deleted")
    check(not mt.eom_check(conn, MT_RCPTDELETE, "<alice@example.test>"), "alice kept")
    mt.disconnect(conn)
end)
