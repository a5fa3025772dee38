// inflate_stream.hpp: gzip (RFC 1952, RFC 8460 §6.5) decompression fed chunk by chunk, for
// readers that receive a body piecewise (the HTTPS receiver): the output cap is checked as each
// chunk inflates, so a decompression bomb is refused after reading only as much of it as it
// takes to pass the cap. Concatenated members are inflated one after the other; zero bytes after
// the last member (padding) are ignored, as the decompression stage does. With keep_output
// false the output is only counted, not kept: a guard that costs no memory while a body
// arrives, the body itself being read by the pipeline later.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tlsrpt {

class InflateStream {
  public:
    enum class State { more, done, too_large, corrupt };

    explicit InflateStream(std::size_t max_out, bool keep_output = true);
    ~InflateStream();
    InflateStream(const InflateStream&) = delete;
    InflateStream& operator=(const InflateStream&) = delete;

    // Inflates one chunk into output(); too_large as soon as the output would pass max_out.
    State feed(std::string_view chunk);
    // After the last chunk: done when the last member ended, else corrupt (truncated).
    State finish();

    const std::string& output() const { return out_; }
    std::size_t inflated() const { return total_; } // bytes inflated so far, kept or not
    std::string take_output() { return std::move(out_); }
    const std::string& error() const { return error_; }

  private:
    struct Z;
    std::unique_ptr<Z> z_;
    std::size_t max_out_;
    bool keep_;
    std::size_t total_ = 0;
    std::string out_;
    std::string error_;
    bool member_ended_ = false;
    bool padding_ = false; // zero bytes seen after a member: nothing else may follow
    State state_ = State::more;
};

} // namespace tlsrpt
