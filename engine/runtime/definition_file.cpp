#include "engine/runtime/definition_file.h"

#include <filesystem>
#include <fstream>

namespace ledgerflow::def {

Result<LoadResult> load_definition_file(const std::string& path, LoadOptions options) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return Error::io(path + ": no such file");
  if (std::filesystem::is_directory(status))
    return Error::io(path + ": is a directory, not a definition file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io(path + ": cannot be read");
  // Read at most one byte past the limit: a huge file is refused without loading it.
  std::string text(options.parse.max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error::io(path + ": read error");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > options.parse.max_bytes) {
    auto size = std::filesystem::file_size(path, ec);
    LoadResult r;
    r.problems.push_back(
        Problem{{1, 1},
                "",
                "file is " +
                    (ec ? std::string("over ") + std::to_string(options.parse.max_bytes)
                        : std::to_string(size)) +
                    " bytes; the limit for a definition is " +
                    std::to_string(options.parse.max_bytes) + " bytes (1 MiB)"});
    return r;
  }
  if (options.format == Format::detect) options.format = format_for_path(path);
  return load_definition(text, options);
}

}  // namespace ledgerflow::def
