// inflate_stream.hpp: gzip (RFC 1952, RFC 8460 §6.5) decompression fed chunk by chunk, for
// readers that receive a body piecewise (the HTTPS receiver): the output cap is checked as each
// chunk inflates, so a decompression bomb is refused after reading only as much of it as it
// takes to pass the cap. Concatenated members are inflated one after the other.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tlsrpt {

class InflateStream {
  public:
    enum class State { more, done, too_large, corrupt };

    explicit InflateStream(std::size_t max_out);
    ~InflateStream();
    InflateStream(const InflateStream&) = delete;
    InflateStream& operator=(const InflateStream&) = delete;

    // Inflates one chunk into output(); too_large as soon as the output would pass max_out.
    State feed(std::string_view chunk);
    // After the last chunk: done when the last member ended, else corrupt (truncated).
    State finish();

    const std::string& output() const { return out_; }
    std::string take_output() { return std::move(out_); }
    const std::string& error() const { return error_; }

  private:
    struct Z;
    std::unique_ptr<Z> z_;
    std::size_t max_out_;
    std::string out_;
    std::string error_;
    bool member_ended_ = false;
    State state_ = State::more;
};

} // namespace tlsrpt
