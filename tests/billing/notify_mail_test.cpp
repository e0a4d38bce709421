// SPDX-License-Identifier: Apache-2.0
// Bill e-mail against a real server on loopback: aiosmtpd (Debian's python3-aiosmtpd, run as a
// child process, messages read back from its maildir and decoded by Python's own e-mail parser).
// Webhooks: notify_webhook_test.cpp.
#include "billing/notify.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "loopback.h"
#include "security/crypto.h"

extern char** environ;

namespace meterd::billing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// Debian's interpreter, which has aiosmtpd; a python3 earlier on PATH may not.
constexpr const char* kPython = "/usr/bin/python3";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "notify_test.XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

using testing::BoundSocket;
using testing::CanConnect;


// The handler for refusals and old servers: a Mailbox that refuses some recipients, can refuse
// EHLO, and records which greeting the client used in an X-Helo header.
constexpr const char* kHandlerModule = R"PY(
from aiosmtpd.handlers import Mailbox

class Handler(Mailbox):
    def __init__(self, mail_dir, mode):
        super().__init__(mail_dir)
        self.mode = mode

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0], args[1] if len(args) > 1 else 'esmtp')

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.mode == 'no-esmtp':
            return ['502 5.5.1 EHLO not implemented']
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('nobody@'):
            return '550 no such user'
        if address.startswith('later@'):
            return '451 mailbox busy, try later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    def prepare_message(self, session, envelope):
        message = super().prepare_message(session, envelope)
        message['X-Helo'] = ('EHLO ' if session.extended_smtp else 'HELO ') + str(session.host_name)
        return message
)PY";

// What Python's e-mail package (policy.default: RFC 2047 and transfer encodings decoded) reads
// in a delivered message, as JSON.
constexpr const char* kDecodeScript = R"PY(
import email, json, sys
from email import policy
from email.utils import parsedate_to_datetime
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=policy.default)
out = {k: str(m.get(k, '')) for k in ['From', 'To', 'Subject', 'Message-ID', 'MIME-Version',
                                      'X-MailFrom', 'X-RcptTo', 'X-Helo', 'Auto-Submitted']}
out['raw_subject'] = email.message_from_bytes(raw)['Subject']
out['date'] = int(parsedate_to_datetime(m['Date']).timestamp())
out['content_type'] = m.get_content_type()
for kind in ('plain', 'html'):
    part = m.get_body((kind,))
    out[kind] = part.get_content() if part is not None else None
out['defects'] = [str(d) for p in m.walk() for d in p.defects]
print(json.dumps(out))
)PY";

// aiosmtpd on a free loopback port, its maildir in a temp directory; killed on destruction.
class SmtpServer {
 public:
  // `handler` "mailbox" (aiosmtpd's own) or "esmtp"/"no-esmtp" (kHandlerModule).
  explicit SmtpServer(const std::string& handler) {
    maildir_ = dir_.path / "maildir";
    std::ofstream(dir_.path / "meterd_test_smtp.py") << kHandlerModule;
    port_ = BoundSocket(false).port;  // free now; aiosmtpd binds it next
    std::vector<std::string> args = {kPython, "-m", "aiosmtpd", "-n", "-l", fmt::format("127.0.0.1:{}", port_)};
    if (handler == "mailbox") {
      args.insert(args.end(), {"-c", "aiosmtpd.handlers.Mailbox", maildir_.string()});
    } else {
      args.insert(args.end(), {"-c", "meterd_test_smtp.Handler", maildir_.string(), handler});
    }
    Spawn(args);
    // Ready when it accepts a connection; gives up early if it exits.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (CanConnect(port_)) {
        ready_ = true;
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::poll(nullptr, 0, 20);
    }
  }
  ~SmtpServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return ready_; }
  std::string log() const { return ReadFile(dir_.path / "server.log"); }
  uint16_t port() const { return port_; }

  std::vector<fs::path> Messages() const {
    std::vector<fs::path> out;
    if (fs::exists(maildir_ / "new"))
      for (const auto& e : fs::directory_iterator(maildir_ / "new")) out.push_back(e.path());
    return out;
  }

  boost::json::object Decode(const fs::path& message) const {
    fs::path script = dir_.path / "decode.py";
    std::ofstream(script) << kDecodeScript;
    std::string cmd = fmt::format("{} {} {}", kPython, script.string(), message.string());
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[4096];
      for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
      ::pclose(p);
    }
    return boost::json::parse(out).as_object();
  }

 private:
  void Spawn(const std::vector<std::string>& args) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string log = (dir_.path / "server.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> env = {"PYTHONPATH=" + dir_.path.string(), "PYTHONDONTWRITEBYTECODE=1"};
    for (char** e = environ; *e; ++e)
      if (!std::string_view(*e).starts_with("PYTHONPATH=")) env.emplace_back(*e);
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    for (auto& e : env) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }

  TempDir dir_;
  fs::path maildir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool ready_ = false;
};

SmtpConfig Config(uint16_t port) {
  SmtpConfig c;
  c.port = port;
  c.helo = "meterd.test";
  c.from = "billing@water.example";
  c.from_name = "City Water";
  c.timeout = std::chrono::milliseconds(10000);
  return c;
}

std::string Str(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

#define ASSERT_SERVER(server) ASSERT_TRUE((server).ready()) << "aiosmtpd did not start:\n" << (server).log()

TEST(SendMail, DeliversToARealServer) {
  SmtpServer server("mailbox");
  ASSERT_SERVER(server);
  MailMessage m;
  m.to = "alice@example.org";
  m.subject = "Ihre Rechnung für März: 42,00 € (Konto 1001)";
  // Mixed line endings, a line that is only ".", one starting with ".", trailing spaces, a line
  // longer than 76 and non-ASCII text: all must arrive as written.
  std::string long_line(120, 'x');
  m.text = "Dear Alice,\r\n.hello\n.\nTotal: 42.00 EUR  \r" + long_line + "\nGrüße = regards\n";
  auto before = std::chrono::system_clock::now();
  auto sent = SendMail(Config(server.port()), m);
  ASSERT_TRUE(sent) << sent.error().message;

  auto messages = server.Messages();
  ASSERT_EQ(messages.size(), 1u);
  std::string raw = ReadFile(messages[0]);
  EXPECT_THAT(raw, HasSubstr("\n.hello\n")) << "dot-stuffing undone by the server";
  EXPECT_THAT(raw, ::testing::Not(HasSubstr("..hello")));
  auto d = server.Decode(messages[0]);
  EXPECT_EQ(d["defects"].as_array().size(), 0u) << raw;
  EXPECT_EQ(Str(d, "Subject"), m.subject);
  EXPECT_THAT(Str(d, "raw_subject"), StartsWith("=?UTF-8?B?"));
  EXPECT_EQ(Str(d, "From"), "City Water <billing@water.example>");
  EXPECT_EQ(Str(d, "To"), "alice@example.org");
  EXPECT_EQ(Str(d, "X-MailFrom"), "billing@water.example");
  EXPECT_EQ(Str(d, "X-RcptTo"), "alice@example.org");
  EXPECT_EQ(Str(d, "MIME-Version"), "1.0");
  EXPECT_EQ(Str(d, "Auto-Submitted"), "auto-generated");
  EXPECT_THAT(Str(d, "Message-ID"), MatchesRegex("<[0-9a-f]{32}@meterd\\.test>"));
  int64_t date = d["date"].as_int64();
  int64_t sent_at = std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count();
  EXPECT_GE(date, sent_at - 1);
  EXPECT_LE(date, sent_at + 60);
  EXPECT_EQ(Str(d, "content_type"), "text/plain");
  EXPECT_EQ(Str(d, "plain"), "Dear Alice,\n.hello\n.\nTotal: 42.00 EUR  \n" + long_line + "\nGrüße = regards\n");
  EXPECT_TRUE(d["html"].is_null());
}

TEST(SendMail, TextAndHtmlGoAsMultipartAlternative) {
  SmtpServer server("esmtp");
  ASSERT_SERVER(server);
  MailMessage m;
  m.to = "bob@example.org";
  m.subject = "Your bill";
  m.text = "Amount due: 10.00 GBP\n";
  m.html = "<p>Amount due: <b>10.00&nbsp;GBP</b></p>\n<p>.dot</p>\n";
  m.message_id = "<bill-B-7.email.1@water.example>";
  auto sent = SendMail(Config(server.port()), m);
  ASSERT_TRUE(sent) << sent.error().message;
  auto messages = server.Messages();
  ASSERT_EQ(messages.size(), 1u);
  auto d = server.Decode(messages[0]);
  EXPECT_EQ(d["defects"].as_array().size(), 0u) << ReadFile(messages[0]);
  EXPECT_EQ(Str(d, "content_type"), "multipart/alternative");
  EXPECT_EQ(Str(d, "plain"), m.text);
  EXPECT_EQ(Str(d, "html"), m.html);
  EXPECT_EQ(Str(d, "Message-ID"), m.message_id);
  EXPECT_EQ(Str(d, "Subject"), "Your bill");
  EXPECT_EQ(Str(d, "X-Helo"), "EHLO meterd.test");
}

TEST(SendMail, FallsBackToHeloWhenEhloIsRefused) {
  SmtpServer server("no-esmtp");
  ASSERT_SERVER(server);
  MailMessage m{.to = "carol@example.org", .subject = "Bill", .text = "hi"};
  auto sent = SendMail(Config(server.port()), m);
  ASSERT_TRUE(sent) << sent.error().message;
  auto messages = server.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(Str(server.Decode(messages[0]), "X-Helo"), "HELO meterd.test");
}

TEST(SendMail, A5xxReplyIsPermanentAndSaysStepAndReply) {
  SmtpServer server("esmtp");
  ASSERT_SERVER(server);
  MailMessage m{.to = "nobody@example.org", .subject = "Bill", .text = "hi"};
  auto sent = SendMail(Config(server.port()), m);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().message, "smtp: RCPT TO <nobody@example.org>: 550 no such user");
  EXPECT_EQ(sent.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_FALSE(IsTransient(sent.error()));
  EXPECT_EQ(ClassifyMail(sent), DeliveryOutcome::kPermanent);
  EXPECT_TRUE(server.Messages().empty());
}

TEST(SendMail, A4xxReplyIsTransient) {
  SmtpServer server("esmtp");
  ASSERT_SERVER(server);
  MailMessage m{.to = "later@example.org", .subject = "Bill", .text = "hi"};
  auto sent = SendMail(Config(server.port()), m);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().message, "smtp: RCPT TO <later@example.org>: 451 mailbox busy, try later");
  EXPECT_EQ(sent.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyMail(sent), DeliveryOutcome::kTransient);
}

TEST(SendMail, ConnectionRefusedIsTransient) {
  BoundSocket closed(false);
  auto sent = SendMail(Config(closed.port), {.to = "a@example.org", .subject = "s", .text = "t"});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().message, fmt::format("smtp: connect 127.0.0.1:{}: Connection refused", closed.port));
  EXPECT_EQ(ClassifyMail(sent), DeliveryOutcome::kTransient);
}

TEST(SendMail, ASilentServerTimesOutAsTransient) {
  BoundSocket silent(true);  // the kernel completes the handshake; nobody ever greets
  SmtpConfig c = Config(silent.port);
  c.timeout = std::chrono::milliseconds(200);
  auto sent = SendMail(c, {.to = "a@example.org", .subject = "s", .text = "t"});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().message, "smtp: greeting: no reply within 200 ms");
  EXPECT_TRUE(IsTransient(sent.error()));
}

// Refused before any connection: the port refuses, so an attempt would say "connect".
TEST(SendMail, RefusesHeaderInjectionAndBadAddresses) {
  BoundSocket closed(false);
  SmtpConfig c = Config(closed.port);
  auto expect_invalid = [&](const SmtpConfig& config, const MailMessage& m, std::string_view message) {
    auto sent = SendMail(config, m);
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().code, core::ErrorCode::kInvalidArgument) << sent.error().message;
    EXPECT_EQ(sent.error().message, message);
    EXPECT_EQ(ClassifyMail(sent), DeliveryOutcome::kPermanent);
  };
  expect_invalid(c, {.to = "a@example.org", .subject = "Bill\r\nBcc: victim@example.org", .text = "t"},
                 "subject contains a CR or LF (refused: header injection)");
  expect_invalid(c, {.to = "a@example.org\nBcc: victim@example.org", .subject = "s", .text = "t"},
                 "to contains a CR or LF (refused: header injection)");
  SmtpConfig evil_from = c;
  evil_from.from = "x@example.org>\r\nRCPT TO:<victim@example.org";
  expect_invalid(evil_from, {.to = "a@example.org", .subject = "s", .text = "t"},
                 "from contains a CR or LF (refused: header injection)");
  expect_invalid(c, {.to = "Alice <a@example.org>", .subject = "s", .text = "t"},
                 "to 'Alice <a@example.org>' must be plain ASCII without spaces or control characters");
  expect_invalid(c, {.to = "a@example.org,b@example.org", .subject = "s", .text = "t"},
                 "to 'a@example.org,b@example.org' must be a bare address (local@domain)");
  expect_invalid(c, {.to = "example.org", .subject = "s", .text = "t"}, "to 'example.org' is not local@domain");
  expect_invalid(c, {.to = "", .subject = "s", .text = "t"}, "to is empty");
  expect_invalid(c, {.to = "a@example.org", .subject = "s", .text = "t", .message_id = "no-brackets"},
                 "message_id 'no-brackets' is not <id@domain>");
}

TEST(FormatMail, HeadersLinesAndEncodings) {
  SmtpConfig c = Config(25);
  c.from_name = "Stadtwerke Zürich";
  MailMessage m{.to = "a@example.org", .subject = std::string(30, 'w') + " " + std::string(30, 'v') + " " + std::string(30, 'u'),
                .text = std::string(200, 'a') + "=\n\x01", .message_id = "<m1@example.org>"};
  auto mail = FormatMail(c, m, core::FromUnixSeconds(1'800'000'000));
  ASSERT_TRUE(mail) << mail.error().message;
  EXPECT_THAT(*mail, StartsWith("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"));
  EXPECT_THAT(*mail, HasSubstr("\r\nFrom: =?UTF-8?B?U3RhZHR3ZXJrZSBaw7xyaWNo?= <billing@water.example>\r\n"));
  EXPECT_THAT(*mail, HasSubstr("\r\nSubject: " + std::string(30, 'w') + " " + std::string(30, 'v') + "\r\n " +
                                   std::string(30, 'u') + "\r\n"));  // folded at a space, under 78
  EXPECT_THAT(*mail, HasSubstr("\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
  EXPECT_THAT(*mail, HasSubstr("=3D\r\n=01\r\n"));
  // Every line ends in CRLF and none is longer than 78 characters, with an HTML part too.
  m.html = "<p>" + std::string(100, 'h') + "</p>";
  auto multipart = FormatMail(c, m, core::FromUnixSeconds(1'800'000'000));
  ASSERT_TRUE(multipart) << multipart.error().message;
  for (const std::string& text : {*mail, *multipart}) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      ASSERT_FALSE(line.empty()) << "a bare LF";
      EXPECT_EQ(line.back(), '\r') << line;
      EXPECT_LE(line.size(), 79u) << line;
    }
  }
}

// --- Webhooks ----------------------------------------------------------------------------------

}  // namespace
}  // namespace meterd::billing
