// inflate_stream.cpp: chunk-fed gzip inflation with an output cap (see inflate_stream.hpp).
#include "tlsrpt/inflate_stream.hpp"

#include <zlib.h>

namespace tlsrpt {

struct InflateStream::Z {
    z_stream s{};
    bool ready = false;
    char buf[16384]; // on the heap: callers may run on small thread stacks (CivetWeb workers)
};

InflateStream::InflateStream(std::size_t max_out, bool keep_output)
    : z_(std::make_unique<Z>()), max_out_(max_out), keep_(keep_output) {
    z_->ready = inflateInit2(&z_->s, 16 + MAX_WBITS) == Z_OK; // 16: gzip wrapper only
    if (!z_->ready) {
        state_ = State::corrupt;
        error_ = "cannot initialise zlib";
    }
}

InflateStream::~InflateStream() {
    if (z_->ready) inflateEnd(&z_->s);
}

InflateStream::State InflateStream::feed(std::string_view chunk) {
    if (state_ != State::more && state_ != State::done) return state_;
    z_stream& s = z_->s;
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    s.avail_in = static_cast<uInt>(chunk.size());
    char* const buf = z_->buf;
    constexpr std::size_t kBuf = sizeof z_->buf;
    while (s.avail_in > 0) {
        if (member_ended_) {
            while (s.avail_in > 0 && *s.next_in == 0) { // padding after the last member
                padding_ = true;
                ++s.next_in;
                --s.avail_in;
            }
            if (s.avail_in == 0) break;
            if (padding_) {
                error_ = "gzip data is followed by something else than zero bytes";
                return state_ = State::corrupt;
            }
            if (inflateReset(&s) != Z_OK) return state_ = State::corrupt; // RFC 1952 §2.2
            member_ended_ = false;
        }
        s.next_out = reinterpret_cast<Bytef*>(buf);
        s.avail_out = kBuf;
        const int rc = inflate(&s, Z_NO_FLUSH);
        const std::size_t got = kBuf - s.avail_out;
        if (got > max_out_ - total_) {
            error_ = "decompressed report larger than " + std::to_string(max_out_) + " bytes";
            return state_ = State::too_large;
        }
        total_ += got;
        if (keep_) out_.append(buf, got);
        if (rc == Z_STREAM_END) {
            member_ended_ = true;
            state_ = State::done;
        } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
            state_ = State::more;
            if (rc == Z_BUF_ERROR && got == 0) break; // needs more input
        } else {
            error_ = std::string("gzip data is corrupt: ") + (s.msg ? s.msg : "zlib error");
            return state_ = State::corrupt;
        }
    }
    return state_;
}

InflateStream::State InflateStream::finish() {
    if (state_ == State::more) {
        error_ = "gzip data is truncated";
        state_ = State::corrupt;
    }
    return state_;
}

} // namespace tlsrpt
