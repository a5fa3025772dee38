// config_man.cpp: tlsrpt-milter.conf(5) in roff, generated from the settings table
// (`tlsrpt-milter --man-config`, run by the build), so the manual page lists exactly the
// settings, defaults and help texts that the parser and --dump-config use.
#include "config_table.hpp"

#include "service/man_page.hpp"

namespace milter {

namespace {

const char* kHead = R"(.TH TLSRPT\-MILTER.CONF 5 "" "tlsrpt-milter @VERSION@" "File Formats"
.nh
.ad l
.SH NAME
tlsrpt\-milter.conf \- configuration of tlsrpt\-milter, the SMTP TLS Reporting receiver
.SH SYNOPSIS
.B /etc/tlsrpt\-milter.conf
.SH DESCRIPTION
.BR tlsrpt\-milter (8)
reads its settings from this file at start and again on SIGHUP.
Each line holds one setting, a key and its value separated by white space;
.B #
starts a comment, and empty lines are ignored.
Keys are case\-insensitive.
An unknown key, a key given twice or a bad value stops the milter at start with the
file name, the line number and the reason; on SIGHUP the running configuration is kept
instead.
A setting that is not in the file has its default.
.PP
.B tlsrpt\-milter \-\-dump\-config
prints a commented file with every setting and its default, and
.B tlsrpt\-milter \-n
checks a file without starting the milter.
This page is generated from the same table of settings as both, so it lists exactly
the settings the installed milter knows.
.PP
Sizes take the suffixes k, M and G (powers of 1024); durations are seconds unless
they end in ms or h.
Yes/no settings take yes, no, true, false, on, off, 1 and 0.
.SH SETTINGS
)";

const char* kTail = R"(.SH EXAMPLE
A milter that Postfix reaches on a unix socket (its user in the group
.BR tlsrpt\-milter ),
storing into the local database
.BR tlsrpt :
.PP
.RS
.nf
Socket          unix:/run/tlsrpt\-milter/tlsrpt\-milter.sock
Database        dbname=tlsrpt
ReportAddresses tlsrpt@example.com
.fi
.RE
.SH FILES
.TP
.I /etc/tlsrpt\-milter.conf
the configuration read by the packaged service.
.TP
.I /usr/share/doc/tlsrpt\-milter/tlsrpt\-milter.conf.sample
the complete commented sample.
.SH SEE ALSO
.BR tlsrpt\-milter (8),
.BR tlsrptctl (1),
RFC 8460 (SMTP TLS Reporting), RFC 6376 (DKIM).
)";

} // namespace

std::string man_config() {
    return service::man::page(kHead, settings(), kTail);
}

} // namespace milter
