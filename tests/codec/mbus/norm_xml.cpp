// SPDX-License-Identifier: Apache-2.0
#include "norm_xml.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace meterd::codec::mbus::testing {
namespace {

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool done = false;
      for (auto [entity, c] : kEntities) {
        if (s.substr(i, entity.size()) == entity) {
          out += c;
          i += entity.size() - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += s[i];
  }
  return out;
}

// <A>x</A><B>y</B>... -> {A: x, B: y}
Fields ParseFlat(std::string_view body) {
  Fields fields;
  size_t pos = 0;
  while ((pos = body.find('<', pos)) != std::string_view::npos) {
    const size_t close = body.find('>', pos);
    if (close == std::string_view::npos) break;
    std::string_view tag = body.substr(pos + 1, close - pos - 1);
    if (tag.empty() || tag[0] == '/' || tag[0] == '?') {
      pos = close + 1;
      continue;
    }
    const std::string end = "</" + std::string(tag) + ">";
    const size_t stop = body.find(end, close + 1);
    if (stop == std::string_view::npos) break;
    fields[std::string(tag)] = Unescape(body.substr(close + 1, stop - close - 1));
    pos = stop + end.size();
  }
  return fields;
}

std::string_view Between(std::string_view text, std::string_view open, std::string_view close, size_t& pos) {
  const size_t a = text.find(open, pos);
  if (a == std::string_view::npos) return {};
  const size_t body = text.find('>', a);
  const size_t b = text.find(close, body);
  if (body == std::string_view::npos || b == std::string_view::npos) return {};
  pos = b + close.size();
  return text.substr(body + 1, b - body - 1);
}

}  // namespace

std::optional<LibmbusXml> ParseLibmbusXml(std::string_view text) {
  if (text.find("<MBusData>") == std::string_view::npos) return std::nullopt;
  LibmbusXml xml;
  size_t pos = 0;
  xml.slave = ParseFlat(Between(text, "<SlaveInformation", "</SlaveInformation>", pos));
  pos = 0;
  while (true) {
    const size_t before = pos;
    std::string_view body = Between(text, "<DataRecord", "</DataRecord>", pos);
    if (pos == before) break;
    xml.records.push_back(ParseFlat(body));
  }
  return xml;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<uint8_t> ReadHexFile(const std::filesystem::path& path) {
  std::istringstream in(ReadFile(path));
  std::vector<uint8_t> out;
  std::string token;
  while (in >> token) out.push_back(static_cast<uint8_t>(std::stoul(token, nullptr, 16)));
  return out;
}

std::filesystem::path VectorsDir() { return std::filesystem::path(METERD_VECTORS_DIR) / "mbus"; }

std::vector<std::filesystem::path> HexFiles(std::string_view subfolder) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(VectorsDir() / subfolder, ec)) {
    if (e.path().extension() == ".hex") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace meterd::codec::mbus::testing
