// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"

// Small POSIX file helpers for the device's persistent state. Every call opens and closes the
// file: metersim runs thousands of devices and must not hold a descriptor per device.
namespace meterd::device {

// CRC-32 (IEEE 802.3, the zlib polynomial), for log records.
uint32_t Crc32(std::string_view bytes);

// The whole file; an empty string when it does not exist.
core::Result<std::string> ReadWholeFile(const std::filesystem::path& path);
// Appends `bytes`; fsyncs before returning when `sync`.
core::Result<void> AppendToFile(const std::filesystem::path& path, std::string_view bytes, bool sync);
// Replaces `path` so that readers see the old or the new content, never a mix: writes
// `path`.tmp, (fsync), renames over `path`, (fsyncs the directory).
core::Result<void> WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes, bool sync);
// Cuts the file to `size` bytes (drops a torn tail).
core::Result<void> TruncateFile(const std::filesystem::path& path, uint64_t size);

}  // namespace meterd::device
