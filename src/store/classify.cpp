// classify.cpp: temporary-versus-permanent for every failure the store can meet: libpqxx
// exceptions by type and SQLSTATE (PostgreSQL manual, Appendix A), then anything else.
#include "store/classify.hpp"

#include <array>
#include <new>
#include <pqxx/except>

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
        const std::string& state = e.sqlstate();
        return {classify_sqlstate(state), "SQLSTATE " +
                                              (state.empty() ? std::string("none") : state) + ": " +
                                              one_line(e.what())};
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
