// config.hpp: tlsrpt-httpd's settings. Every setting is declared once, in the table of
// config_settings.cpp (name, default, help, parser), over the shared settings-table machinery
// (service/settings_table.hpp): the same `Key value` format, errors and --dump-config as the
// milter.
#pragma once

#include "cidr.hpp"

#include "service/settings_table.hpp"
#include "tlsrpt/limits.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace httpd {

using service::ConfigError;

struct RateLimit {
    double per_second = 0; // 0: no limit
    double burst = 0;
};

struct Config {
    std::vector<std::string> listen; // IP:PORT, several allowed
    bool listen_from_file = false;   // false while `listen` holds the default
    std::vector<std::string> paths;  // exact paths answered with POST
    std::string user_id;
    std::string pid_file;
    std::string database;
    std::chrono::milliseconds database_timeout{0};
    std::size_t database_pool_size = 0;
    std::string spool_directory;
    std::size_t spool_max_bytes = 0;
    std::size_t spool_max_files = 0;
    std::size_t max_report_size = 0; // the body as sent (compressed or not)
    tlsrpt::Limits limits;           // max_decompressed_size: MaxDecompressedSize
    std::size_t max_connections = 0;
    std::size_t max_header_size = 0;
    std::chrono::milliseconds read_timeout{0}; // one read of the request (slowloris)
    std::chrono::milliseconds body_timeout{0}; // the whole body
    std::chrono::milliseconds keep_alive_timeout{0};
    std::size_t max_requests_per_connection = 0;
    RateLimit rate_limit;
    std::vector<Cidr> allow_from;
    std::vector<Cidr> trusted_proxies;
    std::string tls_certificate;
    std::string tls_key;
    std::string metrics_listen;
    std::chrono::seconds shutdown_timeout{0};
    bool syslog = true;
    std::string syslog_facility;
};

Config default_config();
Config parse_config(const std::string& text, const std::string& origin);
Config load_config(const std::string& path);
void set_setting(Config& config, const std::string& name, const std::string& value,
                 const std::string& where);
// Checks what needs several settings at once (TLS pair, limits); throws ConfigError.
void validate(const Config& config, const std::string& origin);
std::string dump_config();

// tlsrpt-httpd.conf(5) in roff, generated from the same table (config_man.cpp).
std::string man_config();

// "RATE BURST" (requests per second, bucket size) or "0"; throws std::invalid_argument.
RateLimit parse_rate_limit(const std::string& text);

} // namespace httpd
