// settings_table.hpp: the settings-table machinery every program of the project shares. A
// program declares its settings once, as a table of Setting rows (name, default, example,
// help, parser) over its own Config struct; these templates derive from that table the
// defaults, the `Key value` file parser (unknown keys, repeated keys and bad values refused
// with file:line), command-line overrides and the commented sample printed by --dump-config.
// The non-template pieces (line splitting, value parsers) are in config_file.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace service {

// The largest size a setting takes (1 TiB).
inline constexpr std::size_t kMaxSize = std::size_t{1} << 40;

// A refusal to start, naming the file and line at fault ("file:line: message").
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

template <class Config> struct Setting {
    const char* name;
    const char* default_value; // as written in the file; "" = empty
    const char* example;       // shown in the sample when the default is empty
    const char* help;
    void (*parse)(Config&, const std::string&);
};

// One `Key value` line of a configuration file, comment stripped and trimmed.
struct ConfigLine {
    int number = 0;
    std::string key;
    std::string value;
};

// The non-empty lines of a configuration text ('#' at the start or after a blank starts a
// comment).
std::vector<ConfigLine> split_config(const std::string& text);

// A file's contents; throws ConfigError("path: cannot read ...").
std::string read_config_file(const std::string& path);

// The help text as comment lines ("# ..."), for the sample.
std::string commented(const char* help);

// Case-insensitive comparison of setting names.
bool same_name(const std::string& a, const char* b);

// Value parsers shared by every table; throw std::invalid_argument.
std::size_t parse_size(const std::string& text);                   // 10, 64k, 8m, 1g
std::chrono::milliseconds parse_duration(const std::string& text); // 30, 30s, 500ms, 2h
bool parse_bool(const std::string& text);                          // yes/no true/false on/off 1/0
std::size_t parse_count(const std::string& text, std::size_t min, std::size_t max);
std::vector<std::string> split_list(const std::string& text); // comma-separated, trimmed
std::string parse_listen(const std::string& text);   // IP:PORT (literal address), "" allowed
std::string parse_facility(const std::string& text); // mail, daemon, user, local0..local7

// The settings table of one program, and what is derived from it.
template <class Config> class SettingsTable {
  public:
    // `after_defaults` runs on the defaults before a file's lines (e.g. so that the first
    // line of a repeatable setting replaces its default instead of adding to it).
    explicit SettingsTable(std::span<const Setting<Config>> rows,
                           void (*after_defaults)(Config&) = nullptr)
        : rows_(rows), after_defaults_(after_defaults) {}

    std::span<const Setting<Config>> rows() const { return rows_; }

    // The row named `key` (case-insensitive), or null.
    const Setting<Config>* find(const std::string& key) const {
        for (const Setting<Config>& s : rows_)
            if (same_name(key, s.name)) return &s;
        return nullptr;
    }

    // Runs one row's parser; a bad value throws ConfigError("where: bad value ...").
    static void apply(Config& c, const Setting<Config>& s, const std::string& value,
                      const std::string& where) {
        try {
            s.parse(c, value);
        } catch (const std::exception& e) {
            throw ConfigError(where + ": bad value '" + value + "' for " + s.name + ": " +
                              e.what());
        }
    }

    // Every default run through its parser.
    Config defaults() const {
        Config c;
        for (const Setting<Config>& s : rows_)
            apply(c, s, s.default_value, "built-in default");
        return c;
    }

    // The defaults overridden by the file text; `origin` names the file in messages. A row
    // whose name is in `repeatable` may appear several times (each line adds to a list).
    Config parse(const std::string& text, const std::string& origin,
                 std::span<const char* const> repeatable = {}) const {
        Config c = defaults();
        if (after_defaults_) after_defaults_(c);
        std::map<std::string, int> seen; // canonical name -> first line
        for (const ConfigLine& line : split_config(text)) {
            const std::string where = origin + ":" + std::to_string(line.number);
            const Setting<Config>* s = find(line.key);
            if (!s) throw ConfigError(where + ": unknown setting '" + line.key + "'");
            const auto [it, fresh] = seen.emplace(s->name, line.number);
            bool multi = false;
            for (const char* r : repeatable)
                multi = multi || same_name(s->name, r);
            if (!fresh && !multi)
                throw ConfigError(where + ": " + s->name + " already set at line " +
                                  std::to_string(it->second));
            apply(c, *s, line.value, where);
        }
        return c;
    }

    // parse() on a file's contents.
    Config load(const std::string& path, std::span<const char* const> repeatable = {}) const {
        return parse(read_config_file(path), path, repeatable);
    }

    // Sets one setting by name (command-line overrides); throws ConfigError("where: ...").
    void set(Config& c, const std::string& name, const std::string& value,
             const std::string& where) const {
        const Setting<Config>* s = find(name);
        if (!s) throw ConfigError(where + ": unknown setting '" + name + "'");
        apply(c, *s, value, where);
    }

    // The commented sample: `header` (comment lines) then every row with its default.
    std::string sample(const std::string& header) const {
        std::string out = header;
        for (const Setting<Config>& s : rows_) {
            out += "\n" + commented(s.help);
            const std::string value = *s.default_value ? s.default_value : s.example;
            if (!*s.default_value) out += "# Default: empty. Example:\n";
            out += "#" + std::string(s.name) + " " + value + "\n";
        }
        return out;
    }

  private:
    std::span<const Setting<Config>> rows_;
    void (*after_defaults_)(Config&);
};

} // namespace service
