// SPDX-License-Identifier: Apache-2.0
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/api.h"

namespace meterd::api {
namespace {

std::string ContentType(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

}  // namespace

Response ServeStatic(const std::string& root_dir, const std::string& path) {
  if (root_dir.empty()) return ErrorResponse(404, "not_found", "the console is not built (make web)");
  namespace fs = std::filesystem;
  // Refuse anything that could step outside the root before touching the file system.
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos || path.find("..") != std::string::npos ||
      path.find('\\') != std::string::npos) {
    return ErrorResponse(404, "not_found", "no such file");
  }
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::path(root_dir), ec);
  fs::path file = path == "/" ? root / "index.html" : root / fs::path(path.substr(1));
  file = fs::weakly_canonical(file, ec);
  auto rel = file.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..") return ErrorResponse(404, "not_found", "no such file");
  if (!fs::is_regular_file(file, ec)) {
    if (fs::path(path).has_extension()) return ErrorResponse(404, "not_found", "no such file");
    file = root / "index.html";  // client-side routes
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return ErrorResponse(404, "not_found", "no such file");
  std::ostringstream body;
  body << in.rdbuf();
  Response r;
  r.content_type = ContentType(file);
  r.body = body.str();
  // Hashed asset names never change; the index must be revalidated.
  r.headers.emplace_back("Cache-Control", file.filename() == "index.html" ? "no-cache" : "public, max-age=31536000, immutable");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace meterd::api
