// tls_compat.hpp: makes Debian 12's libcivetweb (1.15) serve TLS with OpenSSL 3.
//
// That build uses the OpenSSL 1.1 API and loads libssl with dlopen() at run time, filling a
// table of function pointers by name. One name, SSL_get_peer_certificate, is gone in OpenSSL 3
// (renamed SSL_get1_peer_certificate, same contract: the caller owns a new reference); CivetWeb
// treats a missing name there as harmless and leaves the pointer NULL, then calls it after every
// TLS handshake: the process dies on the first HTTPS client. fill_peer_certificate_entry() finds
// that entry in CivetWeb's table (by its name pointer, in libcivetweb's writable data) and points
// it at SSL_get1_peer_certificate. CivetWeb reloads the table in every mg_start() (it counts
// its own TLS initialisation as failed, for the missing name), so the call belongs in the
// init_ssl callback, which mg_start() makes after loading and before accepting connections.
#pragma once

#include <string>

namespace httpd {

enum class TlsCompat {
    not_needed, // the entry is already set (a CivetWeb built for OpenSSL 3)
    filled,     // the NULL entry now points at SSL_get1_peer_certificate
    not_found,  // no such table: TLS must not be served with this library
};

// Call from mg_callbacks::init_ssl (or after mg_init_library(MG_FEATURES_TLS)).
TlsCompat fill_peer_certificate_entry();

} // namespace httpd
