// config_man.cpp: tlsrpt-httpd.conf(5) in roff, generated from the settings table
// (`tlsrpt-httpd --man-config`, run by the build), so the manual page lists exactly the
// settings, defaults and help texts that the parser and --dump-config use.
#include "config_table.hpp"

#include "service/man_page.hpp"

namespace httpd {

namespace {

const char* kHead = R"(.TH TLSRPT\-HTTPD.CONF 5 "" "tlsrpt-milter @VERSION@" "File Formats"
.SH NAME
tlsrpt\-httpd.conf \- configuration of tlsrpt\-httpd, the HTTPS receiver of SMTP TLS reports
.SH SYNOPSIS
.B /etc/tlsrpt\-httpd.conf
.SH DESCRIPTION
.BR tlsrpt\-httpd (8)
receives the SMTP TLS reports (RFC 8460) that senders POST to the https: address of a
TLS\-RPT record and stores them in PostgreSQL, spooling them on disk while the database
is away.
It reads its settings from this file at start and again on SIGHUP.
Each line holds one setting, a key and its value separated by white space;
.B #
starts a comment, and empty lines are ignored.
Keys are case\-insensitive.
.B Listen
may repeat; any other key given twice, an unknown key or a bad value stops the program at
start with the file name, the line number and the reason; on SIGHUP the running
configuration is kept instead.
A setting that is not in the file has its default.
.PP
.B tlsrpt\-httpd \-\-dump\-config
prints a commented file with every setting and its default, and
.B tlsrpt\-httpd \-n
checks a file without starting the program.
This page is generated from the same table of settings as both.
.PP
Sizes take the suffixes k, M and G (powers of 1024); durations are seconds unless
they end in ms or h.
Yes/no settings take yes, no, true, false, on, off, 1 and 0.
.SH SETTINGS
)";

const char* kTail = R"(.SH RELOADING
SIGHUP re\-reads the file; Database, DatabasePool*, Spool* and MaxDecompressedSize take
effect at the next start.
.SH FILES
.TP
.I /etc/tlsrpt\-httpd.conf
the configuration read by the packaged service
.BR tlsrpt\-httpd.service ,
which is installed disabled.
.TP
.I /var/spool/tlsrpt\-httpd
the default spool directory.
.TP
.I /usr/share/doc/tlsrpt\-milter/nginx\-tlsrpt\-httpd.conf
an nginx front end.
.SH SEE ALSO
.BR tlsrpt\-httpd (8),
.BR tlsrpt\-milter (8),
.BR tlsrptctl (1),
RFC 8460 section 5.4 (SMTP TLS Reporting over HTTPS).
)";

} // namespace

std::string man_config() {
    return service::man::page(kHead, settings(), kTail);
}

} // namespace httpd
