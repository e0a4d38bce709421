// SPDX-License-Identifier: Apache-2.0
#include "codec/acq/json_text.h"

#include <charconv>

#include "core/json_string.h"

namespace meterd::codec::acq::internal {
namespace {

void Append2(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

}  // namespace

void AppendString(std::string& out, std::string_view s) { core::AppendJsonString(out, s); }

void AppendUint(std::string& out, uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void AppendInt(std::string& out, int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void AppendInstant(std::string& out, core::Instant t) {
  int64_t s = core::ToUnixSeconds(t);
  int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  int64_t rem = s - days * 86400;
  core::CivilDate c = core::CivilFromDays(static_cast<int32_t>(days));
  if (c.year < 0 || c.year > 9999) {  // not representable in RFC 3339; the decoder never yields it
    out += '"';
    out += core::FormatInstant(t);
    out += '"';
    return;
  }
  out += '"';
  Append2(out, static_cast<unsigned>(c.year / 100));
  Append2(out, static_cast<unsigned>(c.year % 100));
  out += '-';
  Append2(out, c.month);
  out += '-';
  Append2(out, c.day);
  out += 'T';
  Append2(out, static_cast<unsigned>(rem / 3600));
  out += ':';
  Append2(out, static_cast<unsigned>(rem / 60 % 60));
  out += ':';
  Append2(out, static_cast<unsigned>(rem % 60));
  out += "Z\"";
}

}  // namespace meterd::codec::acq::internal
