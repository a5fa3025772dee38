// test_imap_credentials.cpp: where the IMAP password comes from (imap_credentials.cpp): a
// password file only when its owner alone may read it, its first line; the environment; a
// ~/.netrc on the same mode rule; never a symbolic link followed.
#define BOOST_TEST_MODULE imap_credentials
#include <boost/test/unit_test.hpp>

#include "imap_credentials.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace tlsrptctl::imap;
namespace fs = std::filesystem;

namespace {

struct Scratch {
    fs::path dir;
    Scratch() {
        char tmpl[] = "/tmp/test_imap_credentials.XXXXXX";
        dir = mkdtemp(tmpl);
    }
    ~Scratch() { fs::remove_all(dir); }
    std::string file(const std::string& name, const std::string& text, mode_t mode) const {
        const fs::path p = dir / name;
        std::ofstream(p) << text;
        chmod(p.c_str(), mode);
        return p.string();
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(password_file_first_line_when_private) {
    Scratch s;
    const auto r = read_password_file(s.file("pw", "s3cret\r\nignored\n", 0600));
    BOOST_TEST_REQUIRE(r.credentials.has_value(), r.error);
    BOOST_TEST(r.credentials->password.value() == "s3cret");
    BOOST_TEST(read_password_file(s.file("ro", "x\n", 0400)).credentials.has_value());
}

BOOST_AUTO_TEST_CASE(password_file_refused_with_the_reason) {
    Scratch s;
    auto r = read_password_file(s.file("open", "x\n", 0644));
    BOOST_TEST(!r.credentials.has_value());
    BOOST_TEST(r.error.find("open") != std::string::npos, r.error);
    BOOST_TEST(r.error.find("0600") != std::string::npos, r.error);
    BOOST_TEST(!read_password_file(s.file("group", "x\n", 0640)).credentials.has_value());
    r = read_password_file(s.file("empty", "\nsecond\n", 0600));
    BOOST_TEST(r.error.find("empty") != std::string::npos, r.error);
    r = read_password_file((s.dir / "missing").string());
    BOOST_TEST(r.error.find("missing") != std::string::npos, r.error);
    const std::string target = s.file("target", "x\n", 0600);
    fs::create_symlink(target, s.dir / "link");
    BOOST_TEST(!read_password_file((s.dir / "link").string()).credentials.has_value());
}

BOOST_AUTO_TEST_CASE(environment_then_netrc) {
    Scratch s;
    setenv("TLSRPT_IMAP_PASSWORD", "from-env", 1);
    auto r = find_credentials("");
    BOOST_TEST_REQUIRE(r.credentials.has_value(), r.error);
    BOOST_TEST(r.credentials->password.value() == "from-env");
    BOOST_TEST(std::getenv("TLSRPT_IMAP_PASSWORD") == nullptr); // taken out of the environment
    setenv("NETRC", s.file("netrc", "machine h login u password p\n", 0600).c_str(), 1);
    r = find_credentials("");
    BOOST_TEST_REQUIRE(r.credentials.has_value(), r.error);
    BOOST_TEST(!r.credentials->password.has_value()); // libcurl reads the file
    setenv("NETRC", s.file("netrc-open", "machine h\n", 0644).c_str(), 1);
    BOOST_TEST(!find_credentials("").credentials.has_value());
    setenv("NETRC", (s.dir / "none").c_str(), 1);
    r = find_credentials("");
    BOOST_TEST(r.error.find("no password") != std::string::npos, r.error);
    unsetenv("NETRC");
}
