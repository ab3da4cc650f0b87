// An immutable set of verification keys for one issuer, and where it came from (for messages).
// Published as std::shared_ptr<const KeySet> snapshots: readers copy the pointer and verify
// against the keys without any lock, while a refresh builds a new set and swaps it in.
//
// Thread safety: immutable after construction; share freely.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "auth/jwt/key.h"

namespace gatehouse::auth::jwks {

class KeySet {
 public:
  // `source` names the origin in messages: a URL, a file path, "shared secret".
  KeySet(std::vector<jwt::Key> keys, std::string source)
      : keys_(std::move(keys)), source_(std::move(source)) {}

  std::span<const jwt::Key> keys() const { return keys_; }
  size_t size() const { return keys_.size(); }
  const std::string& source() const { return source_; }

 private:
  // Immutable after construction.
  std::vector<jwt::Key> keys_;
  std::string source_;
};

}  // namespace gatehouse::auth::jwks
