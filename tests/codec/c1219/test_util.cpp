// SPDX-License-Identifier: Apache-2.0
#include "test_util.h"

#include "codec/c1219/standard_tdl.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace meterd::codec::c1219::testing {

std::vector<uint8_t> Hex(std::string_view text) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (v < 0 || v > 15) throw std::invalid_argument("bad hex");
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd hex");
  return out;
}

std::string ToHex(const std::vector<uint8_t>& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) out += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  return out;
}

std::string ReadFile(const std::string& name) {
  std::ifstream in(std::string(METERD_METERS_DIR) + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

FormatControl Format(uint8_t fc1, uint8_t fc2, uint8_t fc3) {
  const uint8_t b[3] = {fc1, fc2, fc3};
  return FormatControl::FromBytes(b).value();
}

const Tdl& SimTdl() {
  static const Tdl* tdl = [] {
    auto t = ParseTdlWithFragments(StandardTdlXml(), "standard.xml", {{ReadFile("meterd-sim.xml"), "meterd-sim.xml"}});
    if (!t) throw std::runtime_error(t.error().ToString());
    return new Tdl(std::move(*t));
  }();
  return *tdl;
}

St0 SimSt0(uint8_t fc1, uint8_t fc2, uint8_t fc3) {
  St0 st0;
  st0.format = Format(fc1, fc2, fc3);
  st0.device_class = {'S', 'I', 'M', '1'};
  st0.max_proc_parm_length = 10;
  st0.max_resp_data_len = 8;
  st0.dim_mfg_status_used = 1;
  for (int id : {0, 1, 3, 5, 7, 8, 21, 22, 23, 24, 25, 26, 27, 28, 51, 52, 53, 54, 55, 61, 62, 63, 64, 71, 72, 73, 74,
                 75, 76}) {
    st0.UseTable(StdTable(static_cast<uint16_t>(id)), id == 7 || id == 52);
  }
  for (int id : {0, 1, 2}) st0.UseTable(MfgTable(static_cast<uint16_t>(id)), id == 2);
  st0.UseProcedure({10, false});
  st0.UseProcedure({1, true});
  return st0;
}

}  // namespace meterd::codec::c1219::testing
