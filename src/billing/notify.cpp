// SPDX-License-Identifier: Apache-2.0
#include "billing/notify.h"

#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "security/crypto.h"

namespace meterd::billing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxReplyBytes = 64 * 1024;  // an SMTP reply or HTTP response head

core::Error Transient(std::string message) { return {core::ErrorCode::kUnavailable, std::move(message), {}}; }
core::Error Permanent(std::string message) { return {core::ErrorCode::kPermissionDenied, std::move(message), {}}; }

// A connected, non-blocking TCP socket whose every wait is bounded by poll().

// Waits until `fd` is ready for `events` or `deadline` passes: 1 ready, 0 timed out, -1 error.
int WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (n > 0) return 1;
    if (n < 0 && errno != EINTR) return -1;
  }
}

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Socket& operator=(Socket&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// `what` prefixes errors ("smtp", "webhook"). Tries each address of `host` in turn.
core::Result<Socket> Connect(std::string_view what, const std::string& host, uint16_t port,
                             std::chrono::milliseconds timeout) {
  std::string where = host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                                          : fmt::format("{}:{}", host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  if (rc != 0) {
    std::string msg = fmt::format("{}: resolve {}: {}", what, host, ::gai_strerror(rc));
    // A name that does not exist is a configuration error; anything else may pass.
    if (rc == EAI_NONAME) return core::Fail(core::Error::Invalid(std::move(msg), "host"));
    return core::Fail(Transient(std::move(msg)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(list, ::freeaddrinfo);
  std::string last_error = "no address";
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (s.fd() < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    if (::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) == 0) return s;
    if (errno != EINPROGRESS) {
      last_error = std::strerror(errno);
      continue;
    }
    int ready = WaitFor(s.fd(), POLLOUT, Clock::now() + timeout);
    if (ready == 0) {
      last_error = fmt::format("no connection within {} ms", timeout.count());
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (ready < 0 || ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err == 0) return s;
    last_error = std::strerror(err);
  }
  return core::Fail(Transient(fmt::format("{}: connect {}: {}", what, where, last_error)));
}

// Writes all of `data` within `timeout`; `step` names what for errors.
core::Result<void> SendAll(const Socket& s, std::string_view data, std::chrono::milliseconds timeout,
                           std::string_view step) {
  auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    // MSG_NOSIGNAL: a peer that hung up is an error here, not a SIGPIPE for the whole process.
    ssize_t n = ::send(s.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      return core::Fail(Transient(fmt::format("{}: {}", step, std::strerror(errno))));
    int ready = WaitFor(s.fd(), POLLOUT, deadline);
    if (ready == 0) return core::Fail(Transient(fmt::format("{}: write timed out after {} ms", step, timeout.count())));
    if (ready < 0) return core::Fail(Transient(fmt::format("{}: {}", step, std::strerror(errno))));
  }
  return {};
}

// Appends what arrives to `buffer`: false on end of stream. Errors say `step`.
core::Result<bool> ReceiveSome(const Socket& s, std::string& buffer, Clock::time_point deadline,
                               std::chrono::milliseconds timeout, std::string_view step) {
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(s.fd(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return core::Fail(Transient(fmt::format("{}: {}", step, std::strerror(errno))));
    int ready = WaitFor(s.fd(), POLLIN, deadline);
    if (ready == 0) return core::Fail(Transient(fmt::format("{}: no reply within {} ms", step, timeout.count())));
    if (ready < 0) return core::Fail(Transient(fmt::format("{}: {}", step, std::strerror(errno))));
  }
}

// Input checks. Anything that ends up in a header or an SMTP command line must not carry a CR or
// LF: one would let the caller's data start a header or command of its own.

core::Result<void> CheckNoLineBreak(std::string_view field, std::string_view value) {
  if (value.find_first_of("\r\n") != std::string_view::npos)
    return core::Fail(core::Error::Invalid(
        fmt::format("{} contains a CR or LF (refused: header injection)", field), std::string(field)));
  return {};
}

// A bare ASCII address "local@domain": no display name, spaces, angle brackets or list separators.
core::Result<void> CheckAddress(std::string_view field, std::string_view address) {
  if (auto ok = CheckNoLineBreak(field, address); !ok) return ok;
  auto invalid = [&](std::string_view why) {
    return core::Fail(core::Error::Invalid(fmt::format("{} '{}' {}", field, address, why), std::string(field)));
  };
  if (address.empty()) return core::Fail(core::Error::Invalid(fmt::format("{} is empty", field), std::string(field)));
  if (address.size() > 254) return invalid("is longer than 254 characters");
  for (unsigned char c : address) {
    if (c <= 32 || c >= 127) return invalid("must be plain ASCII without spaces or control characters");
    if (std::strchr("<>()[],;:\"\\", c) != nullptr) return invalid("must be a bare address (local@domain)");
  }
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return invalid("is not local@domain");
  return {};
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

// Message encoding (RFC 5322 headers, RFC 2045 quoted-printable, RFC 2047 encoded words).

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// "=?UTF-8?B?...?=" words of at most 42 bytes each (so a folded line stays under 78
// characters), never splitting a UTF-8 sequence, joined by folding whitespace.
std::string EncodedWords(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t n = std::min<size_t>(text.size(), 42);
    while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) >> 6) == 2) --n;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(0, n)) + "?=";
    text.remove_prefix(n);
  }
  return out;
}

// A header value that is plain printable ASCII goes as it is, folded at spaces; anything else
// (non-ASCII, control characters, a "=?" that a reader would take for an encoded word) is
// encoded. `used` is the length of "Name: " before it.
std::string HeaderText(std::string_view text, size_t used) {
  bool plain = text.find("=?") == std::string_view::npos;
  for (unsigned char c : text) plain = plain && c >= 32 && c < 127;
  if (!plain) return EncodedWords(text);
  std::string out;
  size_t line = used;
  for (size_t i = 0; i < text.size();) {
    size_t next = text.find(' ', i + 1);
    if (next == std::string_view::npos) next = text.size();
    std::string_view word = text.substr(i, next - i);  // starts with its space, except the first
    if (i > 0 && line + word.size() > 78) {
      out += "\r\n";
      line = 0;
    }
    if (line + word.size() > 998) return EncodedWords(text);
    out += word;
    line += word.size();
    i = next;
  }
  return out;
}

// Text with any line endings (CRLF, LF, CR) as quoted-printable lines joined by CRLF.
std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out, line;
  auto flush_line = [&](bool last) {
    // Trailing whitespace would be stripped in transit: encode it.
    if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      char c = line.back();
      line.pop_back();
      line += c == ' ' ? "=20" : "=09";
    }
    out += line;
    if (!last) out += "\r\n";
    line.clear();
  };
  auto put = [&](std::string_view token) {
    if (line.size() + token.size() > 75) {  // 76 with the soft break "="
      out += line + "=\r\n";
      line.clear();
    }
    line += token;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      flush_line(false);
    } else if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
      put(text.substr(i, 1));
    } else {
      const char esc[] = {'=', kHex[c >> 4], kHex[c & 15]};
      put(std::string_view(esc, 3));
    }
  }
  flush_line(true);
  return out;
}

// RFC 5322 §3.3: "Sat, 21 Nov 2026 10:15:00 +0000".
std::string MailDate(core::Instant t) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01 was a Thursday
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t s = core::ToUnixSeconds(t);
  int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  int64_t sod = s - days * 86400;
  core::CivilDate d = core::CivilFromDays(static_cast<int32_t>(days));
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[((days % 7) + 7) % 7], d.day,
                     kMonths[d.month - 1], d.year, sod / 3600, sod / 60 % 60, sod % 60);
}

// Part headers and the encoded body, which ends without a line break when `body` does.
std::string BodyPart(std::string_view subtype, std::string_view body) {
  return fmt::format("Content-Type: text/{}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
                     subtype, QuotedPrintable(body));
}

// A line starting with "." gets another (RFC 5321 §4.5.2); the server removes it again.
std::string DotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 16);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  return out;
}

// The SMTP dialogue (RFC 5321).

struct Reply {
  int code = 0;
  std::string text;  // the lines' texts joined by " / "
};

class SmtpSession {
 public:
  SmtpSession(Socket socket, std::chrono::milliseconds timeout) : socket_(std::move(socket)), timeout_(timeout) {}

  // Reads one (possibly multi-line) reply; `step` names the command for errors.
  core::Result<Reply> Read(std::string_view step) {
    std::string prefix = fmt::format("smtp: {}", step);
    auto deadline = Clock::now() + timeout_;
    Reply reply;
    for (;;) {
      size_t eol;
      while ((eol = buffer_.find('\n')) == std::string::npos) {
        if (buffer_.size() > kMaxReplyBytes) return core::Fail(Transient(prefix + ": reply too long"));
        auto more = ReceiveSome(socket_, buffer_, deadline, timeout_, prefix);
        if (!more) return core::Fail(more.error());
        if (!*more) return core::Fail(Transient(prefix + ": connection closed by the server"));
      }
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      bool digits = line.size() >= 3 && std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || (line.size() > 3 && line[3] != ' ' && line[3] != '-'))
        return core::Fail(Transient(fmt::format("{}: malformed reply '{}'", prefix, line.substr(0, 80))));
      int code = std::stoi(line.substr(0, 3));
      if (reply.code != 0 && code != reply.code)
        return core::Fail(Transient(fmt::format("{}: malformed reply '{}'", prefix, line.substr(0, 80))));
      reply.code = code;
      std::string text = line.size() > 4 ? line.substr(4) : "";
      if (!text.empty()) reply.text += (reply.text.empty() ? "" : " / ") + text;
      if (line.size() == 3 || line[3] == ' ') return reply;
    }
  }

  // Sends `command` (CRLF added) and reads its reply.
  core::Result<Reply> Command(std::string_view command, std::string_view step) {
    auto sent = SendAll(socket_, fmt::format("{}\r\n", command), timeout_, fmt::format("smtp: {}", step));
    if (!sent) return core::Fail(sent.error());
    return Read(step);
  }

  core::Result<void> Send(std::string_view data, std::string_view step) {
    return SendAll(socket_, data, timeout_, fmt::format("smtp: {}", step));
  }

 private:
  Socket socket_;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

// A reply of class `want` (2: done, 3: go on) passes; 4xx is transient, 5xx permanent, anything
// else a confused server (transient: it may be fixed by the next attempt).
core::Result<void> Expect(const core::Result<Reply>& reply, int want, std::string_view step) {
  if (!reply) return core::Fail(reply.error());
  if (reply->code / 100 == want) return {};
  std::string msg = fmt::format("smtp: {}: {} {}", step, reply->code, reply->text);
  if (reply->code / 100 == 5) return core::Fail(Permanent(std::move(msg)));
  return core::Fail(Transient(std::move(msg)));
}

// Webhook URLs.

struct HttpUrl {
  std::string host;         // without brackets
  uint16_t port = 80;
  std::string host_header;  // as written, with the port when one was given
  std::string target;       // path and query, at least "/"
};

core::Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto bad = [&](std::string why) { return core::Fail(core::Error::Invalid("webhook url: " + why, "url")); };
  if (url.empty()) return bad("is empty");
  for (size_t i = 0; i < url.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(url[i]);
    if (c <= 32 || c >= 127) return bad(fmt::format("a space, control or non-ASCII character at offset {}", i));
  }
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad(fmt::format("'{}' has no scheme; expected http://host[:port]/path", url));
  std::string scheme(url.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme == "https")
    return bad("https is not supported here: send to a TLS-terminating gateway on loopback over http "
               "(docs/notifications.md)");
  if (scheme != "http") return bad(fmt::format("scheme '{}' is not supported, only http", scheme));
  std::string_view rest = url.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return bad("user info (user@host) is not supported");
  HttpUrl out;
  out.host_header = std::string(authority);
  std::string_view host = authority, port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 address without its closing ']'");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad(fmt::format("unexpected '{}' after the IPv6 address", after));
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
  } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    has_port = true;
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  out.host = std::string(host);
  if (has_port) {
    bool digits = !port_text.empty() && port_text.size() <= 5 &&
                  std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; });
    unsigned long port = digits ? std::stoul(std::string(port_text)) : 0;
    if (port == 0 || port > 65535) return bad(fmt::format("port '{}' is not a number from 1 to 65535", port_text));
    out.port = static_cast<uint16_t>(port);
  }
  target = target.substr(0, target.find('#'));  // a fragment is not sent
  out.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  return out;
}

}  // namespace

core::Result<std::string> FormatMail(const SmtpConfig& config, const MailMessage& message, core::Instant now) {
  if (auto ok = CheckAddress("from", config.from); !ok) return core::Fail(ok.error());
  if (auto ok = CheckAddress("to", message.to); !ok) return core::Fail(ok.error());
  for (auto [field, value] : {std::pair<std::string_view, std::string_view>{"subject", message.subject},
                              {"from_name", config.from_name}, {"message_id", message.message_id},
                              {"helo", config.helo}}) {
    if (auto ok = CheckNoLineBreak(field, value); !ok) return core::Fail(ok.error());
    if (!IsValidUtf8(value)) return core::Fail(core::Error::Invalid(fmt::format("{} is not valid UTF-8", field), std::string(field)));
  }
  bool helo_ok = !config.helo.empty();
  for (unsigned char c : config.helo) helo_ok = helo_ok && c > 32 && c < 127 && c != '<' && c != '>' && c != '@';
  if (!helo_ok) return core::Fail(core::Error::Invalid(fmt::format("helo '{}' is not a host name", config.helo), "helo"));
  std::string message_id = message.message_id;
  if (message_id.empty()) message_id = fmt::format("<{}@{}>", security::RandomHex(16), config.helo);
  bool id_ok = message_id.size() >= 5 && message_id.front() == '<' && message_id.back() == '>' &&
               message_id.find('@') != std::string::npos;
  for (unsigned char c : message_id) id_ok = id_ok && c > 32 && c < 127;
  if (!id_ok) return core::Fail(core::Error::Invalid(fmt::format("message_id '{}' is not <id@domain>", message_id), "message_id"));

  std::string from = config.from;
  if (!config.from_name.empty()) {
    bool quotable = config.from_name.find_first_of("\"\\") == std::string::npos;
    for (unsigned char c : config.from_name) quotable = quotable && c >= 32 && c < 127;
    from = quotable ? fmt::format("\"{}\" <{}>", config.from_name, config.from)
                    : fmt::format("{} <{}>", EncodedWords(config.from_name), config.from);
  }
  std::string out = fmt::format(
      "Date: {}\r\nFrom: {}\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: {}\r\nMIME-Version: 1.0\r\n"
      "Auto-Submitted: auto-generated\r\n",
      MailDate(now), from, message.to, HeaderText(message.subject, 9), message_id);
  if (!message.text.empty() && !message.html.empty()) {
    // Quoted-printable never produces "=_", so the boundary cannot occur inside a part.
    std::string boundary = "=_meterd_" + security::RandomHex(12);
    out += fmt::format("Content-Type: multipart/alternative;\r\n boundary=\"{}\"\r\n\r\n", boundary);
    // The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1), not the part.
    out += fmt::format("--{}\r\n{}\r\n--{}\r\n{}\r\n--{}--\r\n", boundary, BodyPart("plain", message.text), boundary,
                       BodyPart("html", message.html), boundary);
  } else {
    out += message.html.empty() ? BodyPart("plain", message.text) : BodyPart("html", message.html);
    if (!out.ends_with("\r\n")) out += "\r\n";  // DATA ends with CRLF "." CRLF
  }
  return out;
}

core::Result<void> SendMail(const SmtpConfig& config, const MailMessage& message) {
  auto data = FormatMail(config, message, std::chrono::time_point_cast<core::Seconds>(std::chrono::system_clock::now()));
  if (!data) return core::Fail(data.error());
  auto socket = Connect("smtp", config.host, config.port, config.timeout);
  if (!socket) return core::Fail(socket.error());
  SmtpSession smtp(std::move(*socket), config.timeout);

  if (auto ok = Expect(smtp.Read("greeting"), 2, "greeting"); !ok) return ok;
  auto ehlo = smtp.Command("EHLO " + config.helo, "EHLO");
  if (ehlo && ehlo->code / 100 == 5) {  // an old server without ESMTP: 500/502
    if (auto ok = Expect(smtp.Command("HELO " + config.helo, "HELO"), 2, "HELO"); !ok) return ok;
  } else if (auto ok = Expect(ehlo, 2, "EHLO"); !ok) {
    return ok;
  }
  std::string step = fmt::format("MAIL FROM <{}>", config.from);
  if (auto ok = Expect(smtp.Command(fmt::format("MAIL FROM:<{}>", config.from), step), 2, step); !ok) return ok;
  step = fmt::format("RCPT TO <{}>", message.to);
  if (auto ok = Expect(smtp.Command(fmt::format("RCPT TO:<{}>", message.to), step), 2, step); !ok) return ok;
  if (auto ok = Expect(smtp.Command("DATA", "DATA"), 3, "DATA"); !ok) return ok;
  if (auto ok = smtp.Send(DotStuff(*data) + ".\r\n", "DATA (message)"); !ok) return ok;
  if (auto ok = Expect(smtp.Read("DATA (message)"), 2, "DATA (message)"); !ok) return ok;
  // The message is accepted: a QUIT that fails changes nothing.
  (void)smtp.Command("QUIT", "QUIT");
  return {};
}

std::string WebhookSignature(std::string_view secret, int64_t unix_time, std::string_view body) {
  return security::HmacSha256Hex(secret, fmt::format("{}.{}", unix_time, body));
}

core::Result<int> PostWebhook(const WebhookConfig& config, std::string_view json_body, int64_t unix_time,
                              std::string_view delivery_id) {
  auto url = ParseHttpUrl(config.url);
  if (!url) return core::Fail(url.error());
  if (config.secret.empty())
    return core::Fail(core::Error::Invalid("webhook: the secret is empty; every request must be signed", "secret"));
  std::string id = delivery_id.empty() ? security::RandomHex(16) : std::string(delivery_id);
  bool id_ok = id.size() <= 128;
  for (char c : id) id_ok = id_ok && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._:-", c) != nullptr);
  if (!id_ok)
    return core::Fail(core::Error::Invalid(
        "webhook: the delivery id must be 1 to 128 of [A-Za-z0-9._:-]", "delivery_id"));

  std::string what = fmt::format("webhook: POST {}", config.url);
  auto socket = Connect("webhook", url->host, url->port, config.timeout);
  if (!socket) return core::Fail(socket.error());
  std::string request = fmt::format(
      "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: meterd-notify\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\nX-Meterd-Signature: t={},v1={}\r\nX-Meterd-Delivery: {}\r\nConnection: close\r\n\r\n",
      url->target, url->host_header, json_body.size(), unix_time, WebhookSignature(config.secret, unix_time, json_body), id);
  request += json_body;
  if (auto ok = SendAll(*socket, request, config.timeout, what); !ok) return core::Fail(ok.error());

  // Only the status line matters; interim 1xx responses are skipped.
  std::string buffer;
  auto deadline = Clock::now() + config.timeout;
  for (;;) {
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (buffer.size() > kMaxReplyBytes) return core::Fail(Transient(what + ": response head too long"));
      auto more = ReceiveSome(*socket, buffer, deadline, config.timeout, what);
      if (!more) return core::Fail(more.error());
      if (!*more) {
        if (buffer.empty()) return core::Fail(Transient(what + ": connection closed without a response"));
        head_end = buffer.size();
        break;
      }
    }
    std::string_view head(buffer.data(), head_end);
    std::string_view status_line = head.substr(0, head.find("\r\n"));
    int status = 0;
    bool ok = status_line.size() >= 12 && status_line.starts_with("HTTP/1.") && status_line[8] == ' ' &&
              std::all_of(status_line.begin() + 9, status_line.begin() + 12, [](char c) { return c >= '0' && c <= '9'; });
    if (ok) status = std::stoi(std::string(status_line.substr(9, 3)));
    if (!ok || status < 100)
      return core::Fail(Transient(fmt::format("{}: malformed response '{}'", what, status_line.substr(0, 80))));
    if (status >= 200 || head_end == buffer.size()) return status;
    buffer.erase(0, head_end + 4);
  }
}

bool IsTransient(const core::Error& error) { return error.code == core::ErrorCode::kUnavailable; }

std::string_view DeliveryOutcomeName(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::kDelivered: return "delivered";
    case DeliveryOutcome::kTransient: return "transient";
    case DeliveryOutcome::kPermanent: return "permanent";
  }
  return "?";
}

DeliveryOutcome ClassifyMail(const core::Result<void>& result) {
  if (result) return DeliveryOutcome::kDelivered;
  return IsTransient(result.error()) ? DeliveryOutcome::kTransient : DeliveryOutcome::kPermanent;
}

DeliveryOutcome ClassifyWebhook(const core::Result<int>& result) {
  if (!result) return IsTransient(result.error()) ? DeliveryOutcome::kTransient : DeliveryOutcome::kPermanent;
  int status = *result;
  if (status >= 200 && status < 300) return DeliveryOutcome::kDelivered;
  if (status >= 500 || status == 408 || status == 429) return DeliveryOutcome::kTransient;
  return DeliveryOutcome::kPermanent;
}

std::optional<core::Instant> NextAttempt(const RetryPolicy& policy, core::Instant last_attempt, int failures) {
  failures = std::max(failures, 1);
  if (failures >= policy.max_attempts) return std::nullopt;
  core::Seconds delay = std::min(policy.first, policy.cap);
  for (int i = 1; i < failures && delay < policy.cap; ++i) delay = std::min(delay * 2, policy.cap);
  return last_attempt + delay;
}

}  // namespace meterd::billing
