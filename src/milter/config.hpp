// config.hpp: tlsrpt-milter's settings. Every setting is declared once, in the table of
// config_settings.cpp (name, default, help, parser); that table drives parsing the file, the
// defaults and the commented sample printed by --dump-config.
#pragma once

#include "service/settings_table.hpp"
#include "tlsrpt/limits.hpp"

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace milter {

// What to do with a message to a report address from which no usable report can be read.
enum class OnInvalid { quarantine, reject, pass };

const char* to_string(OnInvalid v);

struct Config {
    std::string socket;
    std::string user_id;
    std::string pid_file;
    mode_t umask = 0;
    std::string database;
    std::vector<std::string> report_addresses; // normalized (lower case, no <>)
    OnInvalid on_invalid = OnInvalid::quarantine;
    bool dkim_verify = true;
    bool require_dkim = true;
    std::string resolver;     // "system" or IP[:PORT]
    std::string trust_anchor; // DNSSEC trust anchor file, "" = none
    std::chrono::milliseconds dns_timeout{0};
    std::size_t max_dkim_signatures = 0;
    std::vector<std::string> trusted_authserv_ids; // empty: this host's name
    std::size_t max_message_size = 0;
    tlsrpt::Limits limits;
    std::chrono::milliseconds database_timeout{0};
    std::size_t database_pool_size = 0;
    std::chrono::seconds shutdown_timeout{0};
    std::size_t retry_limit = 0; // temporary failures of one message before giving up
    std::chrono::milliseconds retry_max_age{0}; // or that long after its first
    std::string metrics_listen;                 // "" = no metrics served
    std::vector<std::string> metrics_domains;   // empty: the domains of report_addresses
    bool syslog = true;
    std::string syslog_facility;
};

using service::ConfigError; // "file:line: message"

// The built-in defaults (every setting's default text run through its parser).
Config default_config();

// Reads `Key value` lines (# comments) from text; `origin` names the file in messages.
// Unknown keys, repeated keys and bad values throw ConfigError("origin:line: ...").
Config parse_config(const std::string& text, const std::string& origin);

// parse_config on a file's contents; throws ConfigError when it cannot be read.
Config load_config(const std::string& path);

// Sets one setting by name through the table (command-line overrides); throws
// ConfigError("where: ...") for an unknown name or a bad value.
void set_setting(Config& config, const std::string& name, const std::string& value,
                 const std::string& where);

// Checks what needs all settings at once (e.g. ReportAddresses not empty); throws ConfigError.
void validate(const Config& config, const std::string& origin);

// A complete commented sample configuration, generated from the table.
std::string dump_config();

// tlsrpt-milter.conf(5) in roff, generated from the same table (config_man.cpp).
std::string man_config();

// Parsers shared with the command line and the tests (service/settings_table.hpp).
using service::parse_bool;
using service::parse_duration;
using service::parse_size;

} // namespace milter
