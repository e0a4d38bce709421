// SPDX-License-Identifier: Apache-2.0
#include "device/file_io.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace meterd::device {
namespace {

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = MakeCrcTable();

core::Error IoError(std::string_view what, const std::filesystem::path& path) {
  return core::Error::Internal(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

uint32_t Crc32(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (char ch : bytes) c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

core::Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return core::Fail(IoError("cannot open", path));
  }
  std::string out;
  char buf[64 << 10];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto error = IoError("cannot read", path);
      ::close(fd);
      return core::Fail(std::move(error));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

core::Result<void> AppendToFile(const std::filesystem::path& path, std::string_view bytes, bool sync) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return core::Fail(IoError("cannot open", path));
  bool ok = WriteAll(fd, bytes) && (!sync || ::fdatasync(fd) == 0);
  auto error = ok ? core::Error{} : IoError("cannot append to", path);
  ::close(fd);
  if (!ok) return core::Fail(std::move(error));
  return {};
}

core::Result<void> WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes, bool sync) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return core::Fail(IoError("cannot create", tmp));
  bool ok = WriteAll(fd, bytes) && (!sync || ::fsync(fd) == 0);
  auto error = ok ? core::Error{} : IoError("cannot write", tmp);
  ::close(fd);
  if (!ok) return core::Fail(std::move(error));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return core::Fail(IoError("cannot rename to", path));
  if (sync) {
    // The rename itself is only durable once the directory entry is.
    int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
  return {};
}

core::Result<void> TruncateFile(const std::filesystem::path& path, uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return core::Fail(IoError("cannot truncate", path));
  return {};
}

}  // namespace meterd::device
