// message_context.hpp: one SMTP transaction as the milter collects it: the recipients (report
// addresses or not), and the message rebuilt as RFC 5322 text (headers "Name:value\r\n" in
// their original order and spelling, a blank line, the body) in a buffer that never grows past
// MaxMessageSize. That text is what DKIM verifies.
#pragma once

#include "tlsrpt/report.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace milter {

class MessageContext {
  public:
    // leading_space: header values come with the blanks after the colon (SMFIP_HDR_LEADSPC);
    // otherwise one space is put back, as most MTAs write it.
    explicit MessageContext(std::size_t max_size, bool leading_space = false);
    MessageContext(const MessageContext&) = delete;
    MessageContext& operator=(const MessageContext&) = delete;

    // Records an envelope recipient exactly as the MTA gave it (for smfi_delrcpt).
    void add_recipient(std::string envelope, bool is_report_address);
    bool has_report_recipient() const { return !report_recipients_.empty(); }
    bool has_other_recipient() const { return other_recipients_ > 0; }
    const std::vector<std::string>& report_recipients() const { return report_recipients_; }

    // Append to the message. false once MaxMessageSize is crossed: the buffer is then freed
    // and everything after is counted but not kept.
    bool add_header(std::string_view name, std::string_view value);
    bool end_of_headers();
    bool add_body(std::string_view chunk);
    bool too_large() const { return too_large_; }

    // The rebuilt message (empty once too large).
    const std::string& raw() const { return raw_; }
    // The headers the store keeps with a quarantined message (RFC 8460 §5.3 fields and more).
    const tlsrpt::MessageHeaders& headers() const { return headers_; }

    std::string queue_id; // MTA queue id (macro i), when known
    std::string failure;  // an internal error already logged; the message ends in 4xx
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  private:
    bool append(std::string_view text);
    void remember_header(std::string_view name, const std::string& value);

    std::size_t max_size_;
    bool leading_space_;
    std::size_t seen_ = 0;
    bool too_large_ = false;
    bool in_body_ = false;
    std::string raw_;
    tlsrpt::MessageHeaders headers_;
    std::vector<std::string> report_recipients_;
    std::size_t other_recipients_ = 0;
};

// Header value line ends as CRLF: the MTA may send folded values with bare LF.
std::string crlf_lines(std::string_view value);

} // namespace milter
