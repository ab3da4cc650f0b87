// Secret bytes that are wiped (OPENSSL_cleanse) when destroyed. Internal to auth/jwt.
#pragma once

#include <openssl/crypto.h>

#include <string>
#include <string_view>

namespace gatehouse::auth::jwt::detail {

class Secret {
 public:
  explicit Secret(std::string_view bytes) : bytes_(bytes) {}
  ~Secret() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  std::string_view bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace gatehouse::auth::jwt::detail
