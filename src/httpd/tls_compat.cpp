// tls_compat.cpp: the CivetWeb 1.15 / OpenSSL 3 function-table fix (see tls_compat.hpp).
#include "tls_compat.hpp"

#include <openssl/ssl.h>

#include <cstdint>
#include <cstring>
#include <link.h>
#include <string_view>
#include <vector>

namespace httpd {

namespace {

constexpr std::string_view kName = "SSL_get_peer_certificate";

struct Segment {
    std::uintptr_t start = 0;
    std::size_t size = 0;
    bool writable = false;
};

struct Search {
    std::vector<Segment> segments;
    std::vector<Segment> relro; // read-only after relocation: never written to
};

// The loaded segments of libcivetweb.so.
int collect(dl_phdr_info* info, std::size_t, void* data) {
    if (!info->dlpi_name || !std::strstr(info->dlpi_name, "/libcivetweb.so")) return 0;
    auto* search = static_cast<Search*>(data);
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type == PT_GNU_RELRO)
            search->relro.push_back({info->dlpi_addr + ph.p_vaddr, ph.p_memsz, false});
        if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_R)) continue;
        search->segments.push_back(
            {info->dlpi_addr + ph.p_vaddr, ph.p_memsz, (ph.p_flags & PF_W) != 0});
    }
    return 1;
}

// Addresses where the NUL-terminated name starts, in the read-only segments.
std::vector<std::uintptr_t> name_addresses(const Search& s) {
    std::vector<std::uintptr_t> out;
    for (const Segment& seg : s.segments) {
        if (seg.writable) continue;
        const std::string_view bytes(reinterpret_cast<const char*>(seg.start), seg.size);
        for (auto at = bytes.find(kName); at != std::string_view::npos;
             at = bytes.find(kName, at + 1)) {
            const bool starts = at == 0 || bytes[at - 1] == '\0';
            const bool ends = at + kName.size() < bytes.size() && bytes[at + kName.size()] == '\0';
            if (starts && ends) out.push_back(seg.start + at);
        }
    }
    return out;
}

bool in_read_only(const Search& s, std::uintptr_t address) {
    for (const Segment& seg : s.segments)
        if (!seg.writable && address >= seg.start && address < seg.start + seg.size) return true;
    return false;
}

bool in_relro(const Search& s, const void* p) {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    for (const Segment& seg : s.relro)
        if (a >= seg.start && a < seg.start + seg.size) return true;
    return false;
}

// One entry of CivetWeb 1.15's table: { const char* name; int required; void (*function)(); },
// three words, at words[i]. It looks like one when the name is a string of the library and
// `required` is small.
bool entry_at(const Search& s, const std::uintptr_t* words, std::size_t i) {
    return in_read_only(s, words[i]) && words[i + 1] <= 0xff;
}

// The slot is taken only where the words around the name look like the table: this entry, the
// one before it (the name is never the table's first), and the next one or the terminating
// NULL name; and never in memory that is read-only after relocation.
void** function_slot(const Search& s, std::uintptr_t name) {
    for (const Segment& seg : s.segments) {
        if (!seg.writable) continue;
        constexpr std::uintptr_t kWord = sizeof(std::uintptr_t); // the table is word-aligned
        const std::uintptr_t first = (seg.start + kWord - 1) & ~(kWord - 1);
        if (seg.start + seg.size < first) continue;
        auto* words = reinterpret_cast<std::uintptr_t*>(first);
        const std::size_t n = (seg.start + seg.size - first) / kWord;
        for (std::size_t i = 0; i + 3 < n; ++i) {
            if (words[i] != name || i < 3 || !entry_at(s, words, i)) continue;
            if (!entry_at(s, words, i - 3)) continue;
            if (words[i + 3] != 0 && (i + 4 >= n || !entry_at(s, words, i + 3))) continue;
            if (in_relro(s, &words[i + 2])) continue;
            return reinterpret_cast<void**>(&words[i + 2]);
        }
    }
    return nullptr;
}

} // namespace

TlsCompat fill_peer_certificate_entry() {
    Search s;
    dl_iterate_phdr(collect, &s);
    for (const std::uintptr_t name : name_addresses(s)) {
        void** slot = function_slot(s, name);
        if (!slot) continue;
        if (*slot) return TlsCompat::not_needed;
        *slot = reinterpret_cast<void*>(&SSL_get1_peer_certificate);
        return TlsCompat::filled;
    }
    return TlsCompat::not_found;
}

} // namespace httpd
