// ChildProcess: fork/exec of a helper program with its stdout on a pipe (read line by
// line, with a deadline) and its stderr appended to a log file, so a test can SIGKILL it
// at any moment and still read every whole line it wrote before dying.
// Thread-safety: one thread at a time. Spawn only from a single-threaded test process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::crash {

class ChildProcess {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  static Result<std::unique_ptr<ChildProcess>> spawn(const std::string& path,
                                                     const std::vector<std::string>& args,
                                                     const std::string& stderr_path);
  // Kills (SIGKILL) and reaps a child that is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Appends the complete lines that arrive before `deadline` to `lines`. Returns false
  // once the pipe reached EOF (the child exited or died and nothing is left to read).
  bool read_lines(Deadline deadline, std::vector<std::string>& lines);
  // Sends SIGKILL.
  void kill_hard();
  // Sends `signal` (e.g. SIGTERM for a graceful stop).
  void send_signal(int signal);
  // Waits for the child; returns its exit code, or 128 + the signal that killed it.
  int wait();

 private:
  ChildProcess(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}

  pid_t pid_;
  int out_fd_;
  bool reaped_ = false;
  int exit_code_ = 0;
  std::string partial_;  // a line not yet terminated by '\n'
};

}  // namespace ledgerflow::crash
