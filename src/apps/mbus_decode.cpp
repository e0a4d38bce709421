// SPDX-License-Identifier: Apache-2.0
#include "apps/mbus_decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <iostream>

#include "codec/mbus/explainer.h"
#include "codec/mbus/frame.h"
#include "codec/mbus/medium.h"
#include "codec/mbus/user_data.h"

namespace meterd::apps {
namespace {

namespace json = boost::json;
namespace mbus = codec::mbus;

bool ParseHex(const std::string& text, std::vector<uint8_t>& out, std::string& error) {
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == ':') continue;
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) {
      error = fmt::format("not a hex digit '{}' at character {}", c, i);
      return false;
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) error = "odd number of hex digits";
  return high < 0 && (!out.empty() || (error = "no bytes", false));
}

std::string Hex(std::span<const uint8_t> bytes) {
  std::string s;
  for (uint8_t b : bytes) s += fmt::format("{}{:02X}", s.empty() ? "" : " ", b);
  return s;
}

json::object RecordJson(const mbus::Record& r) {
  json::object o;
  o["offset"] = r.offset;
  o["function"] = mbus::FunctionName(r.function);
  o["storage_number"] = r.storage_number;
  o["tariff"] = r.tariff;
  o["subunit"] = r.subunit;
  o["quantity"] = r.quantity;
  o["unit"] = r.unit;
  o["value"] = mbus::FormatValue(r.value, r.exponent);
  o["dib"] = Hex(r.dib);
  o["vib"] = Hex(r.vib);
  return o;
}

}  // namespace

int MbusDecode(const std::string& hex, bool explain, bool as_json) {
  std::vector<uint8_t> bytes;
  std::string error;
  if (!ParseHex(hex, bytes, error)) {
    std::cerr << "meterctl: " << error << "\n";
    return 2;
  }
  mbus::CollectingExplainer notes;
  mbus::Explainer* sink = explain ? &notes : nullptr;
  auto frame = mbus::DecodeFrame(bytes, sink);
  core::Result<mbus::UserData> data = core::Fail(core::Error::Invalid("not a long frame"));
  if (frame && frame->type == mbus::FrameType::kLong) data = mbus::DecodeUserData(*frame, sink);
  json::object out;
  out["bytes"] = bytes.size();
  if (!frame) {
    out["error"] = frame.error().ToString();
  } else {
    out["frame"] = mbus::FrameTypeName(frame->type);
    out["control"] = mbus::ControlName(frame->control);
    out["address"] = frame->address;
    if (frame->type == mbus::FrameType::kLong) out["ci"] = fmt::format("{:02X}", frame->ci);
    if (frame->type == mbus::FrameType::kLong && !data) out["error"] = data.error().ToString();
  }
  if (frame && data) {
    if (const auto* v = std::get_if<mbus::VariableData>(&*data)) {
      out["id"] = v->header.id;
      out["manufacturer"] = v->header.manufacturer_code;
      out["version"] = v->header.version;
      out["medium"] = mbus::MediumName(v->header.medium);
      out["access_number"] = v->header.access_number;
      out["status"] = fmt::format("{:02X}", v->header.status);
      json::array records;
      for (const auto& r : v->records) records.push_back(RecordJson(r));
      out["records"] = std::move(records);
      out["more_records_follow"] = v->more_records_follow;
    } else {
      const auto& f = std::get<mbus::FixedData>(*data);
      out["id"] = f.id;
      out["medium"] = std::string(mbus::FixedMediumName(f.medium));
      out["access_number"] = f.access_number;
      out["status"] = fmt::format("{:02X}", f.status);
    }
  }
  if (explain) {
    auto sorted = notes.notes();
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
    json::array annotations;
    for (const auto& n : sorted) {
      auto span = std::span<const uint8_t>(bytes).subspan(std::min(n.offset, bytes.size()),
                                                          std::min(n.length, bytes.size() - std::min(n.offset, bytes.size())));
      annotations.push_back(json::object{{"offset", n.offset}, {"bytes", Hex(span)}, {"note", n.text}});
    }
    out["explain"] = std::move(annotations);
  }
  bool ok = !out.contains("error");
  if (as_json) {
    std::cout << json::serialize(out) << "\n";
    return ok ? 0 : 1;
  }
  for (const auto& [k, v] : out) {
    if (k == "records" || k == "explain") continue;
    std::cout << fmt::format("{:<20} {}\n", std::string_view(k), v.is_string() ? std::string(v.as_string()) : json::serialize(v));
  }
  if (out.contains("records")) {
    std::cout << fmt::format("{:>6}  {:<24} {:>3} {:>3} {:>3}  {:<28} {:>18} {}\n", "offset", "function", "st", "tar", "sub",
                             "quantity", "value", "unit");
    for (const auto& r : out["records"].as_array()) {
      const auto& o = r.as_object();
      std::cout << fmt::format("{:>6}  {:<24} {:>3} {:>3} {:>3}  {:<28} {:>18} {}\n", json::serialize(o.at("offset")),
                               std::string(o.at("function").as_string()), json::serialize(o.at("storage_number")),
                               json::serialize(o.at("tariff")), json::serialize(o.at("subunit")),
                               std::string(o.at("quantity").as_string()), std::string(o.at("value").as_string()),
                               std::string(o.at("unit").as_string()));
    }
  }
  if (explain) {
    std::cout << "\n";
    for (const auto& a : out["explain"].as_array()) {
      const auto& o = a.as_object();
      std::cout << fmt::format("{:>5}  {:<24} {}\n", json::serialize(o.at("offset")), std::string(o.at("bytes").as_string()),
                               std::string(o.at("note").as_string()));
    }
  }
  return ok ? 0 : 1;
}

}  // namespace meterd::apps
