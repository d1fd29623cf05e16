// TempDir: a fresh, uniquely named scratch directory under the system temp dir, removed with
// everything in it on destruction. One per test; not shared between threads while it is
// being created or removed (reading paths from several threads is fine).
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace ledgerflow::test {

class TempDir {
 public:
  // `tag` names the directory (ledgerflow-<tag>-<pid>-<n>) so a leftover one says whose it is.
  explicit TempDir(std::string_view tag = "test") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ledgerflow-" + std::string(tag) + "-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter.fetch_add(1)));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The full path of `relative` inside the directory (nothing is created).
  std::string path(const std::string& relative) const { return (path_ / relative).string(); }

  // Writes `text` to `relative` (creating parent directories); returns the full path.
  std::string write(const std::string& relative, const std::string& text) const {
    const auto full = path_ / relative;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary) << text;
    return full.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace ledgerflow::test
