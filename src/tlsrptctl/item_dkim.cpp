// item_dkim.cpp: see item_dkim.hpp.
#include "item_dkim.hpp"

#include "tlsrpt/headers.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/text.hpp"

#include <algorithm>

namespace tlsrptctl {

bool take_flag(Args& args, const std::string& flag) {
    const auto end = std::remove(args.begin(), args.end(), flag);
    const bool found = end != args.end();
    args.erase(end, args.end());
    return found;
}

bool has_dkim_signature(std::string_view bytes) {
    if (tlsrpt::detect_input(bytes) != tlsrpt::InputKind::message) return false;
    bool found = false;
    tlsrpt::for_each_header_field(tlsrpt::split_header_section(bytes).headers,
                                  [&](std::string_view name, std::string_view) {
                                      found = found || tlsrpt::iequals(name, "DKIM-Signature");
                                  });
    return found;
}

std::vector<tlsrpt::DkimAssessment> item_verdicts(const tlsrpt::DkimVerifier& verifier,
                                                  std::string_view bytes,
                                                  const std::vector<tlsrpt::Report>& reports) {
    if (!has_dkim_signature(bytes)) return tlsrpt::assess_reports({}, reports);
    const tlsrpt::DkimVerification v = verifier.verify(bytes);
    std::vector<tlsrpt::DkimAssessment> out =
        tlsrpt::assess_reports(tlsrpt::check_signatures(v), reports);
    if (!v.error.empty())
        for (tlsrpt::DkimAssessment& a : out)
            if (!a.authenticated) a.reason += " (" + v.error + ")";
    return out;
}

tlsrpt::store::DkimInfo stored_verdict(const tlsrpt::DkimAssessment& a) {
    return {a.result,    a.domain, a.selector,      a.algorithm,
            "tlsrptctl", a.dnssec, a.authenticated, ""};
}

std::string describe_verdict(const tlsrpt::DkimAssessment& a) {
    if (!a.authenticated) return "DKIM: " + a.result + ": " + a.reason;
    return "DKIM: pass d=" + a.domain + " s=" + a.selector + " (" + a.algorithm + ")";
}

} // namespace tlsrptctl
