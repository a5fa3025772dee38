// classify.hpp: decides once whether a database failure is temporary (retry later: the milter
// answers 4xx) or permanent (the data cannot be stored; retrying will not help).
// SQLSTATE codes: PostgreSQL manual, Appendix A.
#pragma once

#include "tlsrpt/store.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace tlsrpt::store {

// A failure the store detects itself that retrying can cure (e.g. schema not yet migrated).
class TemporaryError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// temporary: class 08 (connection), 40001 (serialization), 40P01 (deadlock), class 53
// (insufficient resources), 57P01-57P03 (shutdown, crash, cannot connect now), 57014 (query
// canceled: statement_timeout), 55P03 (lock not available), and "" (no answer from the server).
// Everything else, 22xxx data exceptions and 23xxx constraint violations included: permanent.
Status classify_sqlstate(std::string_view sqlstate);

struct Failure {
    Status status = Status::permanent;
    std::string message;
};

// Classifies the exception being handled; call only inside a catch block.
Failure classify_current_exception();

} // namespace tlsrpt::store
