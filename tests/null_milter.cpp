// null_milter.cpp: the least work a libmilter milter can do, for the load program's
// ordinary-mail comparison (tests/load_smtp.sh, MILTER=null): it asks the MTA for no step but
// MAIL FROM and accepts every message there, so it costs what the milter protocol itself costs
// (a connection and a thread per SMTP session, the option negotiation, one round trip per
// message), whatever a milter does with the mail. Usage: null_milter SOCKET (libmilter's
// unix:/path or inet:port@host).
#include <libmilter/mfapi.h>
#include <sys/stat.h>

#include <cstdio>

namespace {

extern "C" sfsistat negotiate(SMFICTX*, unsigned long, unsigned long f1, unsigned long,
                              unsigned long, unsigned long* pf0, unsigned long* pf1,
                              unsigned long* pf2, unsigned long* pf3) {
    const unsigned long skip = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NODATA |
                               SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOBODY | SMFIP_NOUNKNOWN;
    *pf0 = 0;
    *pf1 = f1 & skip;
    *pf2 = *pf3 = 0;
    return SMFIS_CONTINUE;
}

extern "C" sfsistat envfrom(SMFICTX*, char**) {
    return SMFIS_ACCEPT;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: null_milter SOCKET\n");
        return 64;
    }
    smfiDesc desc{};
    desc.xxfi_name = const_cast<char*>("null-milter");
    desc.xxfi_version = SMFI_VERSION;
    desc.xxfi_envfrom = envfrom;
    desc.xxfi_negotiate = negotiate;
    umask(0); // smtpd, user postfix, reaches a unix socket
    if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
        smfi_opensocket(true) != MI_SUCCESS) {
        std::fprintf(stderr, "null_milter: cannot use %s\n", argv[1]);
        return 70;
    }
    return smfi_main() == MI_SUCCESS ? 0 : 70;
}
