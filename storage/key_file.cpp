#include "storage/key_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ledgerflow::storage {
namespace {

constexpr std::size_t kMaxKeyBytes = 4096;

std::string sys_error() {
  return std::strerror(errno);
}

Result<void> write_all(int fd, const unsigned char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::io(sys_error());
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

// Creates the key file with fresh random bytes. EEXIST (another process won the race)
// is not an error: the caller reads the file that exists.
Result<void> create_key_file(const std::string& path) {
  unsigned char key[kMinHmacKeyBytes];
  if (RAND_bytes(key, sizeof key) != 1) return Error::io(path + ": no random bytes for a new key");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return {};
    return Error::io(path + ": cannot create the HMAC key file: " + sys_error());
  }
  auto written = write_all(fd, key, sizeof key);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    ::unlink(path.c_str());
    return Error::io(path + ": cannot write the HMAC key file: " +
                     (written ? sys_error() : written.error().message));
  }
  return {};
}

}  // namespace

std::string default_hmac_key_path(const std::string& database) {
  return database + ".hmac-key";
}

Result<std::string> load_hmac_key(const std::string& path, bool create_if_missing) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Error::io(path + ": cannot read the HMAC key file: " + sys_error());
    if (!create_if_missing) {
      return Error{ErrorCode::not_found,
                   path +
                       ": the HMAC key file (hmac_key_file) does not exist; create it with "
                       "32 random bytes and mode 0600, e.g. head -c 32 /dev/urandom > " +
                       path + " && chmod 600 " + path};
    }
    if (auto r = create_key_file(path); !r) return r.error();
    if (::stat(path.c_str(), &st) != 0) {
      return Error::io(path + ": cannot read the HMAC key file: " + sys_error());
    }
  }
  if (!S_ISREG(st.st_mode))
    return Error::invalid(path + ": the HMAC key file is not a regular file");
  if (st.st_mode & (S_IROTH | S_IWOTH)) {
    return Error::invalid(path + ": the HMAC key file is accessible to every user (mode " +
                          std::to_string((st.st_mode >> 6) & 7) +
                          std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) +
                          "); restrict it: chmod 600 " + path);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::io(path + ": cannot open the HMAC key file: " + sys_error());
  std::string key(kMaxKeyBytes + 1, '\0');
  std::size_t got = 0;
  while (got < key.size()) {
    const ssize_t n = ::read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = sys_error();
      ::close(fd);
      return Error::io(path + ": cannot read the HMAC key file: " + why);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  key.resize(got);
  if (key.size() < kMinHmacKeyBytes) {
    return Error::invalid(path + ": the HMAC key file holds " + std::to_string(key.size()) +
                          " bytes; a key needs at least " + std::to_string(kMinHmacKeyBytes) +
                          " (e.g. head -c 32 /dev/urandom > " + path + ")");
  }
  if (key.size() > kMaxKeyBytes) {
    return Error::invalid(path + ": larger than " + std::to_string(kMaxKeyBytes) +
                          " bytes; not an HMAC key file");
  }
  return key;
}

Result<std::string> hmac_key_for(const std::string& configured, const std::string& database) {
  if (!configured.empty()) return load_hmac_key(configured, false);
  return load_hmac_key(default_hmac_key_path(database), true);
}

}  // namespace ledgerflow::storage
