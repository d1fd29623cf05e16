// Runs a program the way a user does, through the shell, and collects its exit code,
// stdout and stderr (via files in a scratch directory). Not thread-safe for one scratch
// directory: each run reuses its out/err files.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ledgerflow::test {

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The whole file as bytes ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `program args` (args shell-quoted by the caller) under `timeout` so a hang fails the
// test instead of stalling it; a program killed by a signal reports 128 + the signal.
inline CommandRun run_command(const std::string& program, const std::string& args,
                              const std::filesystem::path& scratch, int timeout_seconds = 60) {
  std::filesystem::create_directories(scratch);
  const std::string cmd = "timeout " + std::to_string(timeout_seconds) + " " + program + " " +
                          args + " >" + (scratch / "out").string() + " 2>" +
                          (scratch / "err").string();
  const int status = std::system(cmd.c_str());
  CommandRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(scratch / "out");
  r.err = slurp(scratch / "err");
  return r;
}

}  // namespace ledgerflow::test
