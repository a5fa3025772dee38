// digest_mail.cpp: the digest mail (digest_mail.hpp): GMime builds the message, so MIME
// boundaries, header folding, RFC 2047 encoded words in the subject and quoted-printable
// bodies are GMime's, never string concatenation; a child process runs sendmail.
#include "digest_mail.hpp"

#include "tlsrpt/headers.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <memory>
#include <poll.h>
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

int millis_left(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1000));
}

// Writes all of `data` to the non-blocking fd before the deadline; "" or what went wrong.
std::string write_all(int fd, std::string_view data, Clock::time_point deadline,
                      const std::string& who) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (std::size_t done = 0; done < data.size();) {
        if (Clock::now() >= deadline) return "it did not take the whole message";
        pollfd p{fd, POLLOUT, 0};
        if (poll(&p, 1, millis_left(deadline)) <= 0) continue; // EINTR, or look at the clock
        const ssize_t n = write(fd, data.data() + done, data.size() - done);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return "writing to " + who + ": " + std::strerror(errno);
        done += static_cast<std::size_t>(n);
    }
    return "";
}

// Kills the child's whole process group (a wrapper script's children too) and reaps it.
void kill_group(pid_t pid) {
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
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
    kill_group(pid);
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
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    const auto old_chld = std::signal(SIGCHLD, SIG_DFL); // waitpid needs the child kept
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        std::signal(SIGCHLD, old_chld);
        return std::string("fork: ") + std::strerror(errno);
    }
    if (pid == 0) {
        setpgid(0, 0); // its own group: a timeout kills whatever it started too
        dup2(fds[0], 0);
        const char* argv[] = {sendmail.c_str(), "-t", "-oi", nullptr};
        execv(sendmail.c_str(), const_cast<char* const*>(argv));
        _exit(127);
    }
    setpgid(pid, 0); // also here, so kill(-pid) finds the group whoever runs first
    close(fds[0]);
    // One deadline for handing the message over and for the exit: a sendmail that stops
    // reading cannot hold the digest (and its timer) forever. Past it the group is killed
    // before the pipe closes: for `sendmail -t` the end of input ends the message, so closing
    // first would hand over a cut message as if whole.
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(timeout);
    const auto old_pipe = std::signal(SIGPIPE, SIG_IGN); // a sendmail that dies is an error
    const std::string error = write_all(fds[1], message, deadline, sendmail);
    const bool late = Clock::now() >= deadline;
    if (late) kill_group(pid);
    close(fds[1]);
    std::signal(SIGPIPE, old_pipe);
    const auto status = late ? std::nullopt : wait_until(pid, deadline);
    std::signal(SIGCHLD, old_chld);
    const std::string limit = " within " + std::to_string(timeout) + " s";
    if (!status) return sendmail + (error.empty() ? " did not finish" : ": " + error) + limit;
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 127) return "cannot run " + sendmail;
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
        return sendmail + " failed (" +
               (WIFEXITED(*status) ? "exit " + std::to_string(WEXITSTATUS(*status))
                                   : "signal " + std::to_string(WTERMSIG(*status))) +
               ")";
    return error;
}

} // namespace tlsrptctl::digest
