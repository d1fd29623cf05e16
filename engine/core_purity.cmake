# ctest core_purity: fails if a file of lf_core (engine/CMakeLists.txt) uses threads,
# clocks, file IO, entropy or sockets. Run: cmake -DFILES="a.cpp|b.h" -P core_purity.cmake
string(REPLACE "|" ";" files "${FILES}")
set(forbidden
  "#include <thread>" "#include <mutex>" "#include <shared_mutex>"
  "#include <condition_variable>" "#include <future>" "#include <fstream>"
  "#include <filesystem>" "#include <random>" "#include <sqlite3.h>" "#include <boost/asio"
  "std::random_device" "std::this_thread" "system_clock" "steady_clock"
  "high_resolution_clock" "std::thread" "fopen(" "getenv(")
set(count 0)
foreach(f IN LISTS files)
  if(NOT EXISTS "${f}")
    message(SEND_ERROR "core_purity: ${f} is listed in lf_core but does not exist")
    math(EXPR count "${count} + 1")
    continue()
  endif()
  file(STRINGS "${f}" lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    foreach(token IN LISTS forbidden)
      string(FIND "${line}" "${token}" at)
      if(NOT at EQUAL -1)
        message(SEND_ERROR "core_purity: ${f}:${n} uses '${token}' (lf_core is pure: "
                           "move it to lf_runtime or behind an interface)")
        math(EXPR count "${count} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
list(LENGTH files nfiles)
if(count GREATER 0)
  message(FATAL_ERROR "core_purity: ${count} violation(s) in ${nfiles} files")
endif()
message(STATUS "core_purity: ${nfiles} files of lf_core are pure")
