// SPDX-License-Identifier: Apache-2.0
#include "apps/c12_commands.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "codec/c1219/standard_tdl.h"
#include "codec/c1219/tdl_merge.h"
#include "headend/c1222_client.h"
#include "headend/c1222_meter.h"

namespace meterd::apps {
namespace {

namespace json = boost::json;
namespace c19 = codec::c1219;
namespace c22 = codec::c1222;
using headend::C1222Client;

int Fail(const std::string& message, int code = 1) {
  std::cerr << "meterctl: " << message << "\n";
  return code;
}

std::string ToHex(std::span<const uint8_t> bytes) {
  std::string s;
  for (uint8_t b : bytes) s += fmt::format("{:02x}", b);
  return s;
}

core::Result<std::vector<uint8_t>> FromHex(std::string_view text) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : text) {
    if (c == ' ' || c == ':' || c == '\n') continue;
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return core::Fail(core::Error::Invalid(fmt::format("'{}' is not a hex digit", c)));
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) return core::Fail(core::Error::Invalid("an odd number of hex digits"));
  return out;
}

std::string ReadText(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The meter type: --tdl FILE (a whole <tdl>, or a <tdl-fragment> over the standard tables),
// --model NAME (<models-dir>/c1219/NAME.xml), else the standard tables.
core::Result<std::shared_ptr<const c19::Tdl>> MeterType(const C12Cli& cli) {
  std::string path = !cli.tdl.empty() ? cli.tdl : !cli.model.empty() ? fmt::format("{}/c1219/{}.xml", cli.models_dir, cli.model) : "";
  if (path.empty()) return std::shared_ptr<const c19::Tdl>(&c19::StandardTdl(), [](const c19::Tdl*) {});
  bool ok = false;
  std::string xml = ReadText(path, ok);
  if (!ok) return core::Fail(core::Error::NotFound(fmt::format("cannot read {}", path)));
  auto doc = c19::ParseTdlDocument(xml, path);
  if (!doc) return core::Fail(doc.error());
  auto tdl = doc->root.tag == "tdl" ? c19::CompileTdl(*doc)
                                    : c19::ParseTdlWithFragments(c19::StandardTdlXml(), "standard.xml", {{xml, path}});
  if (!tdl) return core::Fail(tdl.error());
  return std::shared_ptr<const c19::Tdl>(std::make_shared<c19::Tdl>(std::move(*tdl)));
}

// The APDUs of a session as a capture: IPv4 + TCP with our address as 127.0.0.1:40000 and the
// meter's as 127.0.0.2:<port>, one segment per APDU, checksums computed (LINKTYPE_RAW).
class PcapWriter {
 public:
  PcapWriter(const std::string& path, uint16_t port) : out_(path, std::ios::binary), port_(port) {
    // pcap 2.4, host byte order (little-endian here), snaplen 65535, LINKTYPE_RAW (IPv4).
    const uint32_t header[] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101};
    out_.write(reinterpret_cast<const char*>(header), sizeof header);
  }
  bool ok() const { return static_cast<bool>(out_); }
  void Write(bool outgoing, std::span<const uint8_t> apdu) {
    std::vector<uint8_t> p(40, 0);
    const uint16_t total = static_cast<uint16_t>(40 + apdu.size());
    const uint8_t ours[4] = {127, 0, 0, 1}, theirs[4] = {127, 0, 0, 2};
    const uint8_t* src = outgoing ? ours : theirs;
    const uint8_t* dst = outgoing ? theirs : ours;
    p[0] = 0x45;
    Put16(p, 2, total);
    p[8] = 64;
    p[9] = 6;
    std::copy(src, src + 4, p.begin() + 12);
    std::copy(dst, dst + 4, p.begin() + 16);
    Put16(p, 10, Checksum(std::span<const uint8_t>(p).first(20), 0));
    Put16(p, 20, outgoing ? 40000 : port_);
    Put16(p, 22, outgoing ? port_ : 40000);
    uint32_t& seq = outgoing ? seq_out_ : seq_in_;
    const uint32_t ack = outgoing ? seq_in_ : seq_out_;
    Put32(p, 24, seq);
    Put32(p, 28, ack);
    p[32] = 0x50;
    p[33] = 0x18;  // PSH, ACK
    Put16(p, 34, 65535);
    p.insert(p.end(), apdu.begin(), apdu.end());
    uint32_t pseudo = 0;
    for (int i = 12; i < 20; i += 2) pseudo += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    pseudo += 6 + static_cast<uint32_t>(total - 20);
    Put16(p, 36, Checksum(std::span<const uint8_t>(p).subspan(20), pseudo));
    seq += static_cast<uint32_t>(apdu.size());
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const uint32_t record[] = {static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count()),
                               static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(now).count() % 1000000),
                               static_cast<uint32_t>(p.size()), static_cast<uint32_t>(p.size())};
    out_.write(reinterpret_cast<const char*>(record), sizeof record);
    out_.write(reinterpret_cast<const char*>(p.data()), static_cast<std::streamsize>(p.size()));
    out_.flush();
  }

 private:
  static void Put16(std::vector<uint8_t>& p, size_t at, uint32_t v) {
    p[at] = static_cast<uint8_t>(v >> 8);
    p[at + 1] = static_cast<uint8_t>(v);
  }
  static void Put32(std::vector<uint8_t>& p, size_t at, uint32_t v) {
    Put16(p, at, v >> 16);
    Put16(p, at + 2, v & 0xFFFF);
  }
  static uint16_t Checksum(std::span<const uint8_t> bytes, uint32_t sum) {
    for (size_t i = 0; i < bytes.size(); i += 2) {
      sum += static_cast<uint32_t>(bytes[i] << 8 | (i + 1 < bytes.size() ? bytes[i + 1] : 0));
    }
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
  }

  std::ofstream out_;
  uint16_t port_;
  uint32_t seq_out_ = 1, seq_in_ = 1;
};

struct Connected {
  std::unique_ptr<C1222Client> client;
  std::shared_ptr<PcapWriter> pcap;
};

core::Result<Connected> Connect(const C12Cli& cli) {
  headend::C1222ClientOptions o;
  const size_t colon = cli.address.rfind(':');
  int port = 0;
  try {
    port = colon == std::string::npos ? 0 : std::stoi(cli.address.substr(colon + 1));
  } catch (...) {
  }
  if (colon == std::string::npos || colon == 0 || port < 1 || port > 65535) {
    return core::Fail(core::Error::Invalid("the meter's address is host:port, e.g. 127.0.0.1:1153", "address"));
  }
  o.host = cli.address.substr(0, colon);
  o.port = static_cast<uint16_t>(port);
  o.transport = cli.udp ? headend::C1222Transport::kUdp : headend::C1222Transport::kTcp;
  auto called = c22::ParseApTitle(cli.ap_title);
  if (!called) return core::Fail(core::Error::Invalid("--ap-title: " + called.error().message, "ap-title"));
  auto calling = c22::ParseApTitle(cli.calling_ap_title);
  if (!calling) return core::Fail(core::Error::Invalid("--calling-ap-title: " + calling.error().message));
  o.called = *called;
  o.calling = *calling;
  o.user_id = static_cast<uint16_t>(cli.user_id);
  o.user = cli.user;
  o.password = cli.password;
  o.response_timeout = std::chrono::milliseconds(cli.timeout_ms);
  o.tries = cli.tries;
  if (!cli.key.empty()) {
    auto key = headend::ParseAesKey(cli.key);
    if (!key) return core::Fail(key.error());
    o.key = headend::C1222Key{static_cast<uint8_t>(cli.key_id), *key,
                              cli.authenticated ? c22::SecurityMode::kCleartextAuthenticated
                                                : c22::SecurityMode::kCiphertextAuthenticated};
  }
  Connected c;
  if (!cli.pcap.empty()) {
    c.pcap = std::make_shared<PcapWriter>(cli.pcap, o.port);
    if (!c.pcap->ok()) return core::Fail(core::Error::Invalid(fmt::format("cannot write {}", cli.pcap)));
  }
  const bool trace = cli.trace;
  auto pcap = c.pcap;
  if (trace || pcap) {
    o.trace = [trace, pcap](bool outgoing, std::span<const uint8_t> apdu) {
      if (trace) std::cerr << (outgoing ? "> " : "< ") << ToHex(apdu) << "\n";
      if (pcap) pcap->Write(outgoing, apdu);
    };
  }
  auto client = C1222Client::Connect(std::move(o));
  if (!client) return core::Fail(client.error());
  c.client = std::move(*client);
  if (auto r = c.client->Logon(); !r) return core::Fail(r.error());
  return c;
}

json::value ValueJson(const c19::Value& v) { return json::parse(v.ToJson()); }

void Print(const json::object& o, bool as_json, const std::string& text) {
  if (as_json) {
    std::cout << json::serialize(o) << "\n";
  } else {
    std::cout << text;
  }
}

int Read(const C12Cli& cli, bool as_json) {
  auto id = c19::ParseTableId(cli.table);
  if (!id) return Fail(fmt::format("--table: {}", id.error().message), 2);
  if ((cli.offset >= 0) != (cli.count >= 0) || cli.offset > 0xFFFFFF || cli.count > 0xFFFF) {
    return Fail("a partial read needs both --offset (0..16777215) and --count (0..65535)", 2);
  }
  auto tdl = MeterType(cli);
  if (!tdl) return Fail(tdl.error().ToString(), 2);
  auto c = Connect(cli);
  if (!c) return Fail(c.error().ToString());
  C1222Client& client = *c->client;
  json::object o{{"meter", cli.ap_title}, {"table", c19::TableIdName(*id)}};
  std::string text;
  std::vector<uint8_t> bytes;
  if (cli.offset >= 0) {
    auto r = client.ReadOffset(*id, static_cast<uint32_t>(cli.offset), static_cast<uint16_t>(cli.count));
    if (!r) return Fail(r.error().ToString());
    bytes = std::move(*r);
    o["offset"] = cli.offset;
  } else {
    // The configuration tables first: they decide how the table decodes.
    auto config = headend::ReadMeterConfig(client, *tdl);
    if (!config) return Fail(config.error().ToString());
    auto r = client.Read(*id);
    if (!r) return Fail(r.error().ToString());
    bytes = std::move(*r);
    auto value = c19::DecodeTable(config->context, *id, bytes);
    if (value) {
      o["value"] = ValueJson(*value);
      text = value->ToJson() + "\n";
    } else {
      o["decode_error"] = value.error().ToString();
      text = "(does not decode: " + value.error().ToString() + ")\n";
    }
  }
  o["bytes"] = ToHex(bytes);
  (void)client.Logoff();
  Print(o, as_json, fmt::format("{} of {}: {} bytes\n{}\n{}", c19::TableIdName(*id), cli.ap_title, bytes.size(), ToHex(bytes), text));
  return 0;
}

int Write(const C12Cli& cli, bool as_json) {
  auto id = c19::ParseTableId(cli.table);
  if (!id) return Fail(fmt::format("--table: {}", id.error().message), 2);
  auto data = FromHex(cli.hex);
  if (!data || data->empty() || data->size() > 0xFFFF) return Fail("--hex: 1..65535 bytes of hex", 2);
  if (cli.offset > 0xFFFFFF) return Fail("--offset: 0..16777215", 2);
  auto c = Connect(cli);
  if (!c) return Fail(c.error().ToString());
  auto r = cli.offset >= 0 ? c->client->WriteOffset(*id, static_cast<uint32_t>(cli.offset), *data) : c->client->Write(*id, *data);
  if (!r) return Fail(r.error().ToString());
  (void)c->client->Logoff();
  json::object o{{"meter", cli.ap_title}, {"table", c19::TableIdName(*id)}, {"bytes", data->size()}, {"ok", true}};
  if (cli.offset >= 0) o["offset"] = cli.offset;
  Print(o, as_json, fmt::format("wrote {} bytes to {} of {}\n", data->size(), c19::TableIdName(*id), cli.ap_title));
  return 0;
}

int Procedure(const C12Cli& cli, bool as_json) {
  auto id = c19::ParseProcedureId(cli.procedure_id);
  if (!id) return Fail(fmt::format("--procedure: {}", id.error().message), 2);
  auto tdl = MeterType(cli);
  if (!tdl) return Fail(tdl.error().ToString(), 2);
  auto c = Connect(cli);
  if (!c) return Fail(c.error().ToString());
  auto config = headend::ReadMeterConfig(*c->client, *tdl);
  if (!config) return Fail(config.error().ToString());
  std::vector<uint8_t> params;
  if (!cli.params_hex.empty()) {
    auto p = FromHex(cli.params_hex);
    if (!p) return Fail("--params-hex: " + p.error().message, 2);
    params = std::move(*p);
  } else if (!cli.params.empty()) {
    c19::Value record = c19::Value::Record({});
    for (const auto& kv : cli.params) {
      const size_t eq = kv.find('=');
      uint64_t v = 0;
      try {
        if (eq == std::string::npos) throw std::invalid_argument(kv);
        v = std::stoull(kv.substr(eq + 1), nullptr, 0);
      } catch (...) {
        return Fail(fmt::format("--param {}: expected NAME=NUMBER", kv), 2);
      }
      record.Add(kv.substr(0, eq), c19::Value::Uint(v));
    }
    auto p = c19::EncodeProcedureData(config->context, *id, false, record);
    if (!p) return Fail(p.error().ToString(), 2);
    params = std::move(*p);
  }
  auto r = c->client->Procedure(config->context, *id, params);
  if (!r) return Fail(r.error().ToString());
  (void)c->client->Logoff();
  const auto& st8 = r->st8;
  json::object o{{"meter", cli.ap_title},
                 {"procedure", c19::ProcedureIdName(*id)},
                 {"sequence", st8.sequence_number},
                 {"result_code", st8.result_code},
                 {"result", std::string(c19::ProcedureResultName(st8.result_code))},
                 {"response_bytes", ToHex(st8.response)}};
  std::string decoded;
  if (auto v = c19::DecodeProcedureData(config->context, *id, true, st8.response)) {
    o["response"] = ValueJson(*v);
    decoded = v->ToJson();
  }
  Print(o, as_json, fmt::format("{} sequence {}: {} ({})\n{}\n", c19::ProcedureIdName(*id), st8.sequence_number,
                                c19::ProcedureResultName(st8.result_code), st8.result_code,
                                decoded.empty() ? ToHex(st8.response) : decoded));
  return r->completed() ? 0 : 1;
}

int TdlMerge(const C12Cli& cli, bool as_json) {
  bool ok = true;
  std::string base_xml = cli.base.empty() ? std::string(c19::StandardTdlXml()) : ReadText(cli.base, ok);
  if (!ok) return Fail(fmt::format("cannot read {}", cli.base), 2);
  auto doc = c19::ParseTdlDocument(base_xml, cli.base.empty() ? "standard.xml" : cli.base);
  if (!doc) return Fail(doc.error().ToString());
  for (const auto& path : cli.fragments) {
    std::string xml = ReadText(path, ok);
    if (!ok) return Fail(fmt::format("cannot read {}", path), 2);
    auto fragment = c19::ParseTdlDocument(xml, path);
    if (!fragment) return Fail(fragment.error().ToString());
    auto merged = c19::ApplyFragment(*doc, *fragment);
    if (!merged) return Fail(merged.error().ToString());
    doc = std::move(merged);
  }
  auto tdl = c19::CompileTdl(*doc);
  if (!tdl) return Fail(tdl.error().ToString());
  const std::string xml = c19::WriteTdlDocument(*doc);
  if (!cli.out.empty()) {
    std::ofstream out(cli.out, std::ios::binary);
    if (!(out << xml)) return Fail(fmt::format("cannot write {}", cli.out), 2);
  }
  json::array tables, procedures;
  for (const auto& t : tdl->tables()) tables.push_back(json::string(c19::TableIdName(t.id) + " " + t.name));
  for (const auto& p : tdl->procedures()) procedures.push_back(json::string(c19::ProcedureIdName(p.id) + " " + p.name));
  json::object o{{"name", tdl->name()}, {"tables", tables}, {"procedures", procedures}, {"sources", tdl->sources().size()}};
  if (cli.out.empty()) o["xml"] = xml;
  Print(o, as_json,
        cli.out.empty() ? xml
                        : fmt::format("wrote {}: {} tables, {} procedures, {} sources\n", cli.out, tables.size(),
                                      procedures.size(), tdl->sources().size()));
  return 0;
}

int TdlDecode(const C12Cli& cli, bool as_json) {
  auto tdl = MeterType(cli);
  if (!tdl) return Fail(tdl.error().ToString(), 2);
  c19::TableContext ctx(**tdl);
  for (const auto& w : cli.with) {  // ST0=0102..., in order: later tables may need earlier ones
    const size_t eq = w.find('=');
    auto id = c19::ParseTableId(w.substr(0, eq == std::string::npos ? w.size() : eq));
    auto bytes = eq == std::string::npos ? core::Result<std::vector<uint8_t>>(std::vector<uint8_t>{}) : FromHex(w.substr(eq + 1));
    if (!id || eq == std::string::npos || !bytes) return Fail(fmt::format("--with {}: expected TABLE=HEX", w), 2);
    auto value = c19::DecodeTable(ctx, *id, *bytes);
    if (!value) return Fail(fmt::format("--with {}: {}", c19::TableIdName(*id), value.error().ToString()));
    ctx.Put(*id, std::move(*value));
  }
  auto id = c19::ParseTableId(cli.table);
  if (!id) return Fail(fmt::format("--table: {}", id.error().message), 2);
  auto bytes = FromHex(cli.hex);
  if (!bytes) return Fail("--hex: " + bytes.error().message, 2);
  auto value = c19::DecodeTable(ctx, *id, *bytes);
  if (!value) return Fail(value.error().ToString());
  json::object o{{"table", c19::TableIdName(*id)}, {"value", ValueJson(*value)}};
  Print(o, as_json, value->ToJson() + "\n");
  return 0;
}

void SessionOptions(CLI::App* c, C12Cli& cli) {
  c->add_option("address", cli.address, "the meter (or its relay), host:port, e.g. 127.0.0.1:1153")->required();
  c->add_option("--ap-title", cli.ap_title, "the meter's ApTitle, e.g. .1153.1 or 2.16.124.113620.1.22.0.1153.1")->required();
  c->add_option("--calling-ap-title", cli.calling_ap_title, "ours (default .1)");
  c->add_flag("--udp", cli.udp, "C12.22 over UDP instead of TCP");
  c->add_option("--user-id", cli.user_id, "logon user id")->check(CLI::Range(0, 65535));
  c->add_option("--user", cli.user, "logon user name (at most 10 bytes)");
  c->add_option("--password", cli.password, "security password (at most 20 bytes)");
  c->add_option("--key", cli.key, "EAX' key, 32 hex digits: requests encrypted (or, with --authenticated, MAC only)");
  c->add_option("--key-id", cli.key_id, "EAX' key id")->check(CLI::Range(0, 255));
  c->add_flag("--authenticated", cli.authenticated, "with --key: security mode 1 (cleartext with a MAC)");
  c->add_option("--timeout-ms", cli.timeout_ms, "wait for each answer")->check(CLI::Range(100, 60000));
  c->add_option("--tries", cli.tries, "send a request this many times without an answer")->check(CLI::Range(1, 10));
  c->add_flag("--trace", cli.trace, "print every APDU (hex) on stderr");
  c->add_option("--pcap", cli.pcap, "write the session's APDUs as a capture file (C12.22 over TCP)");
}

void MeterTypeOptions(CLI::App* c, C12Cli& cli) {
  c->add_option("--model", cli.model, "meter type: <models-dir>/c1219/<model>.xml, e.g. meterd-sim");
  c->add_option("--tdl", cli.tdl, "meter type from a TDL file (a <tdl>, or a <tdl-fragment> over the standard tables)");
  c->add_option("--models-dir", cli.models_dir, "default meters");
}

}  // namespace

void AddC12Commands(CLI::App& app, C12Cli& cli) {
  auto* c12 = app.add_subcommand("c12", "ANSI C12.22 meters and C12.19 tables (TDL)");
  c12->require_subcommand(1);
  cli.read = c12->add_subcommand("read", "read a table (decoded by the meter type's TDL) or part of one");
  SessionOptions(cli.read, cli);
  MeterTypeOptions(cli.read, cli);
  cli.read->add_option("--table", cli.table, "ST0..ST2047, MT0..MT2047 (default ST1)")->default_val("ST1");
  cli.read->add_option("--offset", cli.offset, "partial read from this byte (with --count)");
  cli.read->add_option("--count", cli.count, "partial read of this many bytes");
  cli.write = c12->add_subcommand("write", "write a table, or part of one, from hex");
  SessionOptions(cli.write, cli);
  cli.write->add_option("--table", cli.table, "the table, e.g. ST5")->required();
  cli.write->add_option("--hex", cli.hex, "the bytes, e.g. \"4d 45 54 45 52\"")->required();
  cli.write->add_option("--offset", cli.offset, "partial write at this byte");
  cli.procedure = c12->add_subcommand("procedure", "call a procedure (ST7) and read its result (ST8)");
  SessionOptions(cli.procedure, cli);
  MeterTypeOptions(cli.procedure, cli);
  cli.procedure->add_option("--procedure", cli.procedure_id, "SP0..SP2047, MP0..MP2047, e.g. MP1")->required();
  cli.procedure->add_option("--param", cli.params, "a parameter by its TDL name, NAME=NUMBER (repeatable)");
  cli.procedure->add_option("--params-hex", cli.params_hex, "the parameters as bytes instead");
  cli.tdl_merge = c12->add_subcommand("tdl-merge", "apply TDL fragments to a base TDL and write the result");
  cli.tdl_merge->add_option("fragments", cli.fragments, "<tdl-fragment> files, applied in order")->required();
  cli.tdl_merge->add_option("--base", cli.base, "the base <tdl> (default: the built-in standard tables)");
  cli.tdl_merge->add_option("--out", cli.out, "write the merged TDL here (default: stdout)");
  cli.tdl_decode = c12->add_subcommand("tdl-decode", "decode a table's bytes with a TDL, offline");
  MeterTypeOptions(cli.tdl_decode, cli);
  cli.tdl_decode->add_option("--table", cli.table, "the table, e.g. ST23")->required();
  cli.tdl_decode->add_option("--hex", cli.hex, "its bytes")->required();
  cli.tdl_decode->add_option("--with", cli.with, "a table it depends on, TABLE=HEX, in order (repeatable; ST0 first)");
}

int RunC12Command(const C12Cli& cli, bool json) {
  if (cli.read && cli.read->parsed()) return Read(cli, json);
  if (cli.write && cli.write->parsed()) return Write(cli, json);
  if (cli.procedure && cli.procedure->parsed()) return Procedure(cli, json);
  if (cli.tdl_merge && cli.tdl_merge->parsed()) return TdlMerge(cli, json);
  if (cli.tdl_decode && cli.tdl_decode->parsed()) return TdlDecode(cli, json);
  return -1;
}

}  // namespace meterd::apps
