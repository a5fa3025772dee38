// json_writer.hpp: a minimal streaming JSON writer (RFC 8259 escaping) for tlsrptctl output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

class JsonWriter {
  public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n);
    JsonWriter& null();
    JsonWriter& boolean(bool b);
    JsonWriter& strings(const std::vector<std::string>& list);

    const std::string& str() const { return out_; }

  private:
    void separate();
    void quote(std::string_view s);

    std::string out_;
    bool need_comma_ = false;
};

} // namespace tlsrpt
