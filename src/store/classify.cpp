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

Status classify_sqlstate(std::string_view s) {
    if (s.empty()) return Status::temporary; // no SQLSTATE: the server never answered
    const std::string_view cls = s.substr(0, 2);
    if (cls == "08" || cls == "53") return Status::temporary;
    static constexpr std::array<std::string_view, 7> temporary = {
        "40001", "40P01", "57P01", "57P02", "57P03", "57014", "55P03"};
    for (std::string_view t : temporary)
        if (s == t) return Status::temporary;
    return Status::permanent;
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
