// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Test helpers: a reader for libmbus's XML output (flat elements only, which is all it writes)
// and for the vectors' hex files.
namespace meterd::codec::mbus::testing {

using Fields = std::map<std::string, std::string>;

struct LibmbusXml {
  Fields slave;                 // <SlaveInformation> children: Id, Manufacturer, ...
  std::vector<Fields> records;  // <DataRecord> children: Function, StorageNumber, ..., Value
};

// nullopt when the text has no <MBusData> element.
std::optional<LibmbusXml> ParseLibmbusXml(std::string_view text);

std::string ReadFile(const std::filesystem::path& path);

// Whitespace-separated hex tokens of one or two digits ("68 1F 1F 68 ..."); a lone digit, as in
// the malformed manual_frame1.hex, is kept as that value.
std::vector<uint8_t> ReadHexFile(const std::filesystem::path& path);

// The *.hex files of a vectors subfolder, sorted.
std::vector<std::filesystem::path> HexFiles(std::string_view subfolder);

std::filesystem::path VectorsDir();

}  // namespace meterd::codec::mbus::testing
