#include "engine/io/file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace ledgerflow::io {

namespace fs = std::filesystem;

Result<std::string> read_file(const std::string& path, std::size_t max_bytes,
                              std::string_view what) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    return Error{ErrorCode::not_found, path + ": no such file"};
  }
  if (ec) return Error::io(path + ": cannot read: " + ec.message());
  if (status.type() == fs::file_type::directory) {
    return Error::io(path + ": is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io(path + ": cannot open: " + std::strerror(errno));
  // Read at most one byte past the limit: a huge file is refused without loading it.
  // The buffer is sized from the file's size (not the limit, often far above it), and
  // still grows if the file grew since.
  std::string text;
  auto size = fs::file_size(path, ec);
  if (!ec) text.reserve(static_cast<std::size_t>(std::min<std::uintmax_t>(size, max_bytes)) + 1);
  char buffer[64 * 1024];
  while (text.size() <= max_bytes) {
    std::size_t want = std::min(sizeof(buffer), max_bytes + 1 - text.size());
    in.read(buffer, static_cast<std::streamsize>(want));
    if (in.bad()) return Error::io(path + ": read failed");
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (in.eof() || in.gcount() == 0) break;
  }
  if (text.size() > max_bytes) {
    return Error::invalid(path + ": larger than " + std::to_string(max_bytes) +
                          " bytes, the limit for " + std::string(what));
  }
  return text;
}

std::string read_head(const std::string& path, std::size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::string head(count, '\0');
  in.read(head.data(), static_cast<std::streamsize>(count));
  head.resize(in.gcount() > 0 ? static_cast<std::size_t>(in.gcount()) : 0);
  return head;
}

}  // namespace ledgerflow::io
