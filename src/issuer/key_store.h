// The signing keys on disk: generation, persistence, loading and rotation of the issuer's keys in
// one directory that several processes may share (the serving gateway and `gatehouse keys
// rotate`).
//
// Layout of the key directory (mode 0700):
//   keys.json          manifest: the active key and the retired keys with their retire time
//   keys.lock          flock(2) target; writers lock it exclusively, readers shared
//   <kid>.key.pem      private key, PKCS#8 PEM, mode 0600 (refused when group/other may access)
//   <kid>.crt.pem      self-signed certificate of that key (CN = issuer host), mode 0600
// Every file is replaced atomically (temporary file, fsync, rename, fsync of the directory), and
// key and certificate files are written before the manifest that names them, so a reader that
// sees a manifest finds its files. The kid is the RFC 7638 thumbprint of the public key; loading
// checks that the key file still matches it and that the certificate certifies that key.
//
// keys.json:
//   {"version":1,
//    "active":{"kid":"…","alg":"RS256","created":1700000000},
//    "retired":[{"kid":"…","alg":"RS256","created":1690000000,"retired":1700000000}]}
//
// Usage:
//   auto keys = open_key_dir(opts, clock);                  // Issuer::open
//   auto again = load_key_dir(opts, clock, false);          // Issuer::poll, after a stamp change
//   auto kid = rotate_key_dir(opts, clock);                 // rotate_keys
//
// Thread safety: free functions; concurrent callers, in this or other processes, are ordered by
// the lock file. A KeySet is immutable once returned.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/jwt/alg.h"
#include "auth/jwt/key.h"
#include "auth/jwt/sign.h"
#include "core/clock.h"
#include "core/defaults.h"
#include "core/status.h"
#include "issuer/disk.h"

namespace gatehouse::issuer {

inline constexpr char kManifestFile[] = "keys.json";
inline constexpr char kLockFile[] = "keys.lock";

// RS256 (RSA 2048), ES256 (P-256) and EdDSA (Ed25519): the algorithms keys are generated for.
bool is_supported_signing_alg(auth::jwt::Alg alg);

struct KeyDirOptions {
  std::string dir;
  auth::jwt::Alg alg = auth::jwt::Alg::kRS256;            // for newly generated keys
  uint32_t grace_s = core::defaults::kKeyRotationGraceS;  // how long a retired key stays loaded
  std::string certificate_cn;                             // subject of newly generated certificates
};

// One loaded signing key.
struct StoredKey {
  std::string kid;  // RFC 7638 thumbprint of the public key
  auth::jwt::Alg alg;
  int64_t created_unix;
  std::optional<int64_t> retired_unix;  // nullopt for the active key
  auth::jwt::SigningKey signing_key;    // carries kid and alg
  auth::jwt::Key verification_key;      // the public half, with kid and alg
  boost::json::object public_jwk;       // kty and the public parameters only
  std::string certificate_der;
};

// The keys of the directory at one moment.
struct KeySet {
  // The active key first, then the retired keys still inside the grace window (at load time),
  // most recently retired first.
  std::vector<StoredKey> keys;
  FileStamp manifest_stamp;  // of keys.json when it was read

  const StoredKey& active() const { return keys.front(); }
};

// Creates the directory if needed and loads it; generates and persists the first key when there
// is no manifest, and rotates to a new key when the active key's algorithm is not opts.alg (the
// old key is retired and keeps verifying for the grace). Two processes starting at once end up
// with the same single key. Errors: those of load_key_dir, and kIoError for write failures.
core::Result<KeySet> open_key_dir(const KeyDirOptions& opts, const core::Clock& clock);

// Reads the manifest and the keys it names, dropping retired keys past the grace. With
// wait_for_lock == false, returns kUnavailable at once while a writer holds the lock (the caller
// retries later). Errors name the file: kNotFound (no manifest, or a file it names is missing),
// kPermissionDenied (a key file accessible by group/others), kInvalidArgument (a malformed
// manifest, a key file that is not a key for its alg or does not match its kid, a certificate
// that does not certify its key), kIoError.
core::Result<KeySet> load_key_dir(const KeyDirOptions& opts, const core::Clock& clock,
                                  bool wait_for_lock);

// Generates a key for opts.alg and makes it active; the previous active key is retired now.
// Retired keys past the grace are dropped from the manifest and their files deleted. Returns the
// new kid. Errors: kIoError, kInvalidArgument (an existing manifest that does not parse).
core::Result<std::string> rotate_key_dir(const KeyDirOptions& opts, const core::Clock& clock);

}  // namespace gatehouse::issuer
