// resolve_secret() and resolve_env_value(): environment variables, secret files and plain files.
// Messages name the variable or the file, never the value.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "config/config.h"
#include "core/assert.h"
#include "core/files.h"

namespace gatehouse::config {
namespace {

constexpr size_t kMaxSecretFileBytes = 64 * 1024;
constexpr size_t kMaxEnvFileBytes = 1 << 20;

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

core::Result<std::string> read_secret_file(const std::string& path) {
  const std::string quoted = "'" + path + "'";
  // Open once and check the mode on the same descriptor we read from (no stat/open race).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return core::not_found("secret file " + quoted + " does not exist");
    if (err == EACCES) {
      return core::Status(core::Code::kPermissionDenied,
                          "secret file " + quoted + " is not readable by this process");
    }
    return core::io_error("cannot open secret file " + quoted + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return core::io_error("secret file " + quoted + " is not a regular file");
  }
  // Why: a secret that group or others may read (or replace) is not a secret. Refuse rather than
  // warn, so a deployment cannot run with it by accident.
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return core::Status(core::Code::kPermissionDenied,
                        "secret file " + quoted + " has mode " + octal_mode(st.st_mode) +
                            ", which lets group or others access it; expected 0600 or stricter "
                            "(chmod 600 " +
                            quoted + ")");
  }
  if (static_cast<size_t>(st.st_size) > kMaxSecretFileBytes) {
    ::close(fd);
    return core::resource_exhausted("secret file " + quoted + " is " + std::to_string(st.st_size) +
                                    " bytes; the limit is " + std::to_string(kMaxSecretFileBytes));
  }
  auto read = core::read_exactly(fd, static_cast<size_t>(st.st_size), "secret file " + quoted);
  ::close(fd);
  if (!read) return read.error();
  std::string out = std::move(*read);
  // `echo secret > file` leaves a newline that is not part of the secret.
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  if (out.empty()) return core::invalid_argument("secret file " + quoted + " is empty");
  return out;
}

}  // namespace

core::Result<std::string> resolve_secret(const SecretRef& ref) {
  if (ref.kind == SecretRef::Kind::kFile) return read_secret_file(ref.name_or_path);
  const char* value = std::getenv(ref.name_or_path.c_str());
  if (value == nullptr) {
    return core::not_found("environment variable " + ref.name_or_path + " is not set");
  }
  if (*value == '\0') {
    return core::invalid_argument("environment variable " + ref.name_or_path + " is empty");
  }
  return std::string(value);
}

core::Result<std::string> resolve_env_value(const EnvValue& value) {
  switch (value.kind) {
    case EnvValue::Kind::kLiteral:
      return value.value;
    case EnvValue::Kind::kEnv:
      if (const char* v = std::getenv(value.value.c_str())) return std::string(v);
      return core::not_found("environment variable " + value.value + " is not set");
    case EnvValue::Kind::kFile:
      return core::read_file(value.value, kMaxEnvFileBytes);
    case EnvValue::Kind::kIssuerCertificate:
    case EnvValue::Kind::kIssuerPublicKey:
    case EnvValue::Kind::kTable:
      break;
  }
  GH_CHECK(false && "the issuer's and the tables' values are the gateway's to supply");
  return core::internal_error("unreachable");
}

}  // namespace gatehouse::config
