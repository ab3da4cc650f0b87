// Wiping plain secrets (client secrets, Authorization headers, request bodies) from memory once
// they have been used, so they do not linger in freed heap blocks or core files.
//
// Thread safety: operates on the caller's string only.
#pragma once

#include <openssl/crypto.h>

#include <string>

namespace gatehouse::issuer {

// Overwrites every byte of `s`'s buffer, including the unused capacity (a short string lives in
// the object itself and a previous longer value may still sit past its end), then empties it.
inline void wipe(std::string& s) {
  s.assign(s.capacity(), '\0');  // within capacity: no reallocation, so this is the same buffer
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace gatehouse::issuer
