// digest_mail.cpp: the digest mail (digest_mail.hpp): GMime builds the message, so MIME
// boundaries, header folding, RFC 2047 encoded words in the subject and quoted-printable
// bodies are GMime's, never string concatenation; a child process runs sendmail, reading the
// message from an in-memory file.
#include "digest_mail.hpp"

#include "tlsrpt/headers.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <memory>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tlsrptctl::digest {

namespace {

template <typename T> struct GUnref {
    void operator()(T* p) const {
        if (p) g_object_unref(p);
    }
};
template <typename T> using GPtr = std::unique_ptr<T, GUnref<T>>;

// The body's UTF-8 bytes as they are (g_mime_text_part_set_text would pick a charset of its
// own, iso-8859-1 for "Café", and re-encode), declared utf-8, quoted-printable on the wire.
GMimeTextPart* text_part(const char* subtype, const std::string& body) {
    GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(body.data(), body.size()));
    GPtr<GMimeDataWrapper> content(
        g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(GMIME_PART(part), content.get());
    g_mime_text_part_set_charset(part, "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return part;
}

using Clock = std::chrono::steady_clock;

// The message in an anonymous in-memory file, at offset 0; -1 with errno on failure. Given to
// sendmail as its standard input, the message can only end where it ends: however sendmail
// or this process is stopped, a cut message never reads as a whole one (as the end of a pipe
// would), and writing it never waits on sendmail.
int message_file(const std::string& message) {
    const int fd = memfd_create("tlsrpt-digest", MFD_CLOEXEC);
    if (fd < 0) return -1;
    for (std::size_t done = 0; done < message.size();) {
        const ssize_t n = write(fd, message.data() + done, message.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        done += static_cast<std::size_t>(n);
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Waits for the child until the deadline; its wait status, or nullopt after killing it.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return std::nullopt; // not ours to wait for (or kill)
        if (Clock::now() >= deadline) break;
        usleep(20000);
    }
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> mailbox(const std::string& text) {
    if (text.empty() || text.size() > 320 || text.find_first_of("\r\n,;") != std::string::npos)
        return std::nullopt;
    tlsrpt::init_gmime();
    GPtr<InternetAddressList> list(internet_address_list_parse(nullptr, text.c_str()));
    if (!list || internet_address_list_length(list.get()) != 1) return std::nullopt;
    InternetAddress* a = internet_address_list_get_address(list.get(), 0);
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) return std::nullopt;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    const std::string out = addr ? addr : "";
    const auto at = out.find('@');
    if (at == 0 || at == std::string::npos || at + 1 == out.size()) return std::nullopt;
    return out;
}

std::string build_message(const MailParts& parts) {
    tlsrpt::init_gmime();
    GPtr<GMimeMessage> msg(g_mime_message_new(TRUE));
    GPtr<InternetAddressList> from(internet_address_list_parse(nullptr, parts.from.c_str()));
    if (from) internet_address_list_append(g_mime_message_get_from(msg.get()), from.get());
    for (const std::string& to : parts.to)
        g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, nullptr, to.c_str());
    g_mime_message_set_subject(msg.get(), parts.subject.c_str(), "utf-8");
    GDateTime* now = g_date_time_new_now_utc();
    g_mime_message_set_date(msg.get(), now);
    g_date_time_unref(now);
    char* id = g_mime_utils_generate_message_id(parts.host.c_str());
    g_mime_message_set_message_id(msg.get(), id);
    g_free(id);
    // RFC 3834 §5: a machine's report, never to be answered automatically
    g_mime_object_set_header(GMIME_OBJECT(msg.get()), "Auto-Submitted", "auto-generated", nullptr);
    GPtr<GMimeMultipart> alt(g_mime_multipart_new_with_subtype("alternative"));
    GPtr<GMimeTextPart> text(text_part("plain", parts.text));
    GPtr<GMimeTextPart> html(text_part("html", parts.html));
    g_mime_multipart_add(alt.get(), GMIME_OBJECT(text.get()));
    g_mime_multipart_add(alt.get(), GMIME_OBJECT(html.get()));
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(alt.get()));
    char* raw = g_mime_object_to_string(GMIME_OBJECT(msg.get()), nullptr);
    std::string out = raw ? raw : "";
    g_free(raw);
    return out;
}

std::string send_mail(const std::string& sendmail, const std::string& message, int timeout) {
    const int fd = message_file(message);
    if (fd < 0) return std::string("memfd_create: ") + std::strerror(errno);
    const auto old_chld = std::signal(SIGCHLD, SIG_DFL); // waitpid needs the child kept
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 0);
        const char* argv[] = {sendmail.c_str(), "-t", "-oi", nullptr};
        execv(sendmail.c_str(), const_cast<char* const*>(argv));
        _exit(127);
    }
    const int fork_errno = errno;
    close(fd);
    // one deadline for reading the message and exiting: a sendmail that hangs cannot hold
    // the digest (and its timer) forever
    const auto status =
        pid < 0 ? std::nullopt : wait_until(pid, Clock::now() + std::chrono::seconds(timeout));
    std::signal(SIGCHLD, old_chld);
    if (pid < 0) return std::string("fork: ") + std::strerror(fork_errno);
    if (!status) return sendmail + " did not finish within " + std::to_string(timeout) + " s";
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 127) return "cannot run " + sendmail;
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
        return sendmail + " failed (" +
               (WIFEXITED(*status) ? "exit " + std::to_string(WEXITSTATUS(*status))
                                   : "signal " + std::to_string(WTERMSIG(*status))) +
               ")";
    return "";
}

} // namespace tlsrptctl::digest
