// test_sources.cpp: input enumeration (sources.cpp): files, directories, Maildir, mbox.
#define BOOST_TEST_MODULE sources
#include <boost/test/unit_test.hpp>

#include "tlsrpt/sources.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace tlsrpt;
namespace fs = std::filesystem;

namespace {

std::vector<SourceItem> collect(const std::string& path) {
    std::vector<SourceItem> items;
    for_each_item(path, 1 << 20, [&](SourceItem&& i) { items.push_back(std::move(i)); });
    return items;
}

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("tlsrpt-sources-" + std::to_string(getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

} // namespace

BOOST_AUTO_TEST_CASE(splits_mbox_and_unquotes_from_lines) {
    const std::string mbox = "From a@b Mon Mar  2 04:10:00 2026\nSubject: one\n\nbody\n>From here\n"
                             "\nFrom c@d Mon Mar  2 04:11:00 2026\nSubject: two\n\n>>From x\n";
    std::vector<SourceItem> items;
    split_mbox(mbox, "box", [&](SourceItem&& i) { items.push_back(std::move(i)); });
    BOOST_REQUIRE_EQUAL(items.size(), 2u);
    BOOST_TEST(items[0].name == "box#1");
    BOOST_TEST(items[0].bytes == "Subject: one\n\nbody\nFrom here\n\n");
    BOOST_TEST(items[1].bytes == "Subject: two\n\n>From x\n");
}

BOOST_AUTO_TEST_CASE(walks_maildir_in_order_skipping_tmp_and_dotfiles) {
    TempDir t;
    write(t.path / "Maildir/cur/2:2,S", "B");
    write(t.path / "Maildir/new/1", "A");
    write(t.path / "Maildir/tmp/3", "in progress");
    write(t.path / "Maildir/.hidden", "x");
    const auto items = collect((t.path / "Maildir").string());
    BOOST_REQUIRE_EQUAL(items.size(), 2u);
    BOOST_TEST(items[0].bytes == "B"); // cur before new, sorted
    BOOST_TEST(items[1].bytes == "A");
}

BOOST_AUTO_TEST_CASE(mbox_file_inside_directory_and_errors) {
    TempDir t;
    write(t.path / "inbox.mbox", "From x\nA\n\nFrom y\nB\n");
    const auto items = collect(t.path.string());
    BOOST_REQUIRE_EQUAL(items.size(), 2u);
    BOOST_TEST(items[1].name.find("inbox.mbox#2") != std::string::npos);
    const auto missing = collect((t.path / "nope").string());
    BOOST_REQUIRE_EQUAL(missing.size(), 1u);
    BOOST_TEST(missing[0].read_error == "no such file or directory");
}

BOOST_AUTO_TEST_CASE(oversized_file_is_an_error_not_a_buffer) {
    TempDir t;
    write(t.path / "big", std::string(3000, 'x'));
    std::vector<SourceItem> items;
    for_each_item((t.path / "big").string(), 10, [&](SourceItem&& i) { items.push_back(i); });
    BOOST_REQUIRE_EQUAL(items.size(), 1u);
    BOOST_TEST(items[0].read_error.find("too-large") == 0u);
    BOOST_TEST(items[0].bytes.empty());
}
