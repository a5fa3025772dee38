// classify.cpp: temporary-versus-permanent for every failure the store can meet: libpqxx
// exceptions by type and SQLSTATE (PostgreSQL manual, Appendix A), then anything else.
#include "store/classify.hpp"

#include <array>
#include <new>
#include <pqxx/except>
#include <string>

namespace tlsrpt::store {

namespace {

// libpq messages end in a newline and may span lines; keep one line for logs.
std::string one_line(const char* what) {
    std::string s(what);
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s;
}

// libpqxx 6.4 throws some SQLSTATEs as classes that carry no code (insufficient_privilege)
// or are no sql_error at all (transaction_rollback and its children): the code by class.
std::string sqlstate_of(const pqxx::sql_error& e) {
    if (!e.sqlstate().empty()) return e.sqlstate();
    if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) return "42501";
    return "";
}
std::string sqlstate_of(const pqxx::transaction_rollback& e) {
    if (dynamic_cast<const pqxx::deadlock_detected*>(&e)) return "40P01";
    if (dynamic_cast<const pqxx::serialization_failure*>(&e)) return "40001";
    if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) return "40003";
    return "40000";
}

Failure from_sqlstate(const std::string& state, const char* what) {
    return {classify_sqlstate(state),
            "SQLSTATE " + (state.empty() ? std::string("none") : state) + ": " + one_line(what)};
}

} // namespace

// Only what is wrong with the data itself is permanent: class 22 (data exception), 23
// (integrity constraint violation) and 54 (program limit exceeded: an index row too large, a
// statement too complex), which the same report meets again on every retry. Everything else is the
// database's state, not the report's: connection (08), resources and disk (53), shutdown and
// timeouts (57), serialization and deadlock (40), a read-only standby after failover (25006),
// missing grants (42501) or tables (42P01), I/O and internal errors (58, XX). Those answer 4xx, so
// the report waits at the sender while an operator fixes the cause, instead of being refused.
Status classify_sqlstate(std::string_view s) {
    if (s.empty()) return Status::temporary; // no SQLSTATE: the server never answered
    const std::string_view cls = s.substr(0, 2);
    return cls == "22" || cls == "23" || cls == "54" ? Status::permanent : Status::temporary;
}

Failure classify_current_exception() {
    try {
        throw;
    } catch (const pqxx::broken_connection& e) {
        return {Status::temporary,
                std::string("PostgreSQL connection failed: ") + one_line(e.what())};
    } catch (const pqxx::in_doubt_error& e) {
        return {Status::temporary, std::string("commit outcome unknown: ") + one_line(e.what())};
    } catch (const pqxx::sql_error& e) {
        return from_sqlstate(sqlstate_of(e), e.what());
    } catch (const pqxx::transaction_rollback& e) { // deadlock, serialization: not sql_error
        return from_sqlstate(sqlstate_of(e), e.what());
    } catch (const pqxx::failure& e) { // no result from the server: its state, not the data's
        return {Status::temporary, std::string("PostgreSQL: ") + one_line(e.what())};
    } catch (const TemporaryError& e) {
        return {Status::temporary, one_line(e.what())};
    } catch (const std::bad_alloc&) {
        return {Status::temporary, "out of memory"};
    } catch (const std::exception& e) {
        return {Status::permanent, one_line(e.what())};
    } catch (...) {
        return {Status::permanent, "unknown exception"};
    }
}

} // namespace tlsrpt::store
