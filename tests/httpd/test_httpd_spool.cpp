// test_httpd_spool.cpp: the durable spool (spool.cpp) in a scratch directory: the file format
// round trip, arrival order, the size cap, what a crash leaves (tmp/ removed, new/ counted),
// undecodable files moved to bad/.
#define BOOST_TEST_MODULE httpd_spool
#include <boost/test/unit_test.hpp>

#include "spool.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace httpd;
namespace fs = std::filesystem;

namespace {

struct Scratch {
    fs::path dir;
    Scratch() {
        char tmpl[] = "/tmp/test_httpd_spool.XXXXXX";
        dir = mkdtemp(tmpl);
    }
    ~Scratch() { fs::remove_all(dir); }
    std::string spool() const { return (dir / "spool").string(); }
};

SpoolEntry entry(const std::string& body) {
    SpoolEntry e;
    e.received_at = 1700000000;
    e.client = "192.0.2.1";
    e.user_agent = "curl/7.88.1";
    e.content_type = "application/tlsrpt+gzip";
    e.path = "/v1/tlsrpt";
    e.body = body;
    return e;
}

std::size_t files_in(const fs::path& d) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(d), {}));
}

} // namespace

BOOST_AUTO_TEST_CASE(format_round_trip_keeps_binary_body) {
    SpoolEntry e = entry(std::string("\x1f\x8b\0\n\nbody\r\n", 11));
    e.user_agent = "evil\r\nclient: 10.0.0.1"; // a header cannot forge another line
    const auto back = decode_entry(encode_entry(e));
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(back->body == e.body);
    BOOST_TEST(back->client == "192.0.2.1");
    BOOST_TEST(back->user_agent == "evil  client: 10.0.0.1");
    BOOST_TEST(back->received_at == 1700000000);
    BOOST_TEST(back->path == "/v1/tlsrpt");
    BOOST_TEST(!decode_entry("TLSRPT-SPOOL 2\n\nx").has_value());
    BOOST_TEST(!decode_entry("TLSRPT-SPOOL 1\nno blank line").has_value());
}

BOOST_AUTO_TEST_CASE(put_list_read_remove_in_arrival_order) {
    Scratch s;
    Spool spool(s.spool(), 1 << 20);
    std::string err;
    for (int i = 0; i < 12; ++i)
        BOOST_TEST_REQUIRE(spool.put(entry("report " + std::to_string(i)), err));
    BOOST_TEST(spool.files() == 12u);
    const auto names = spool.list(100);
    BOOST_TEST_REQUIRE(names.size() == 12u);
    for (int i = 0; i < 12; ++i) {
        const auto e = spool.read(names[static_cast<std::size_t>(i)]);
        BOOST_TEST_REQUIRE(e.has_value());
        BOOST_TEST(e->body == "report " + std::to_string(i));
        spool.remove(names[static_cast<std::size_t>(i)]);
    }
    BOOST_TEST(spool.files() == 0u);
    BOOST_TEST(spool.bytes() == 0u);
    BOOST_TEST(spool.list(5).empty());
}

BOOST_AUTO_TEST_CASE(cap_refuses_and_leaves_nothing) {
    Scratch s;
    Spool spool(s.spool(), 1000);
    std::string err;
    BOOST_TEST(spool.put(entry(std::string(600, 'a')), err));
    BOOST_TEST(!spool.put(entry(std::string(600, 'b')), err));
    BOOST_TEST(err.find("SpoolMaxBytes") != std::string::npos, err);
    BOOST_TEST(files_in(s.dir / "spool" / "new") == 1u);
    BOOST_TEST(files_in(s.dir / "spool" / "tmp") == 0u);
    spool.remove(spool.list(1).at(0));
    BOOST_TEST(spool.put(entry(std::string(600, 'c')), err)); // room again
}

BOOST_AUTO_TEST_CASE(restart_after_a_crash) {
    Scratch s;
    std::string err;
    {
        Spool spool(s.spool(), 1 << 20);
        BOOST_TEST(spool.put(entry("kept"), err));
        std::ofstream(s.dir / "spool" / "tmp" / "half-written") << "TLSRPT-SPOOL 1\nclient";
    }
    Spool again(s.spool(), 1 << 20);
    BOOST_TEST(again.files() == 1u); // new/ counted
    BOOST_TEST(again.bytes() > 4u);
    BOOST_TEST(files_in(s.dir / "spool" / "tmp") == 0u); // never acknowledged: removed
}

BOOST_AUTO_TEST_CASE(undecodable_file_moved_to_bad) {
    Scratch s;
    Spool spool(s.spool(), 1 << 20);
    std::ofstream(s.dir / "spool" / "new" / "1-garbage") << "not a spool file";
    Spool reopened(s.spool(), 1 << 20);
    BOOST_TEST(reopened.files() == 1u);
    BOOST_TEST(!reopened.read("1-garbage").has_value());
    BOOST_TEST(reopened.files() == 0u);
    BOOST_TEST(fs::exists(s.dir / "spool" / "bad" / "1-garbage"));
    BOOST_TEST(!reopened.read("never-there").has_value());
}
