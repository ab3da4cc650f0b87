#include "issuer/key_store.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string_view>
#include <utility>

#include "core/files.h"
#include "issuer/certificate.h"
#include "issuer/jwk.h"

namespace gatehouse::issuer {
namespace {

using auth::jwt::Alg;

constexpr size_t kMaxManifestBytes = 1 << 20;
constexpr size_t kMaxKeyFileBytes = 64 << 10;
constexpr int kManifestVersion = 1;
// A base64url SHA-256: what every kid we generate looks like. Checked before a kid from the
// manifest becomes part of a file name.
constexpr size_t kKidLength = 43;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

struct ManifestEntry {
  std::string kid;
  Alg alg = Alg::kRS256;
  int64_t created = 0;
  std::optional<int64_t> retired;
};

struct Manifest {
  ManifestEntry active;
  std::vector<ManifestEntry> retired;  // most recently retired first
};

std::string path_of(const KeyDirOptions& opts, std::string_view name) {
  return opts.dir + "/" + std::string(name);
}
std::string key_file_name(std::string_view kid) {
  return std::string(kid) + ".key.pem";
}
std::string certificate_file_name(std::string_view kid) {
  return std::string(kid) + ".crt.pem";
}

bool is_valid_kid(std::string_view kid) {
  if (kid.size() != kKidLength) return false;
  for (char c : kid) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// --- manifest ----------------------------------------------------------------------------------

core::Status manifest_error(const std::string& path, const std::string& what) {
  return core::invalid_argument("key manifest '" + path + "': " + what +
                                "; restore it or move the key directory away to start afresh");
}

core::Result<ManifestEntry> parse_entry(const boost::json::value& value, bool retired,
                                        const std::string& where, const std::string& path) {
  const auto* entry = value.if_object();
  if (entry == nullptr) return manifest_error(path, where + " is not an object");
  ManifestEntry out;
  const auto* kid = entry->if_contains("kid");
  if (kid == nullptr || !kid->is_string() || !is_valid_kid(kid->as_string())) {
    return manifest_error(path, where + ".kid is missing or not a key thumbprint");
  }
  out.kid = kid->as_string();
  const auto* alg = entry->if_contains("alg");
  std::optional<Alg> parsed_alg;
  if (alg != nullptr && alg->is_string()) parsed_alg = auth::jwt::parse_alg(alg->as_string());
  if (!parsed_alg || !is_supported_signing_alg(*parsed_alg)) {
    return manifest_error(path, where + ".alg is missing or not RS256, ES256 or EdDSA");
  }
  out.alg = *parsed_alg;
  const auto* created = entry->if_contains("created");
  if (created == nullptr || !created->is_int64()) {
    return manifest_error(path, where + ".created is missing or not an integer");
  }
  out.created = created->as_int64();
  if (retired) {
    const auto* at = entry->if_contains("retired");
    if (at == nullptr || !at->is_int64()) {
      return manifest_error(path, where + ".retired is missing or not an integer");
    }
    out.retired = at->as_int64();
  }
  return out;
}

core::Result<Manifest> parse_manifest(std::string_view text, const std::string& path) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) return manifest_error(path, "not JSON (" + ec.message() + ")");
  const auto* object = root.if_object();
  if (object == nullptr) return manifest_error(path, "not a JSON object");
  const auto* version = object->if_contains("version");
  if (version == nullptr || !version->is_int64() || version->as_int64() != kManifestVersion) {
    return manifest_error(path, "unknown version (expected 1)");
  }
  const auto* active = object->if_contains("active");
  if (active == nullptr) return manifest_error(path, "no active key");
  auto active_entry = parse_entry(*active, false, "active", path);
  if (!active_entry) return std::move(active_entry).error();
  Manifest manifest;
  manifest.active = std::move(*active_entry);
  if (const auto* retired = object->if_contains("retired")) {
    const auto* list = retired->if_array();
    if (list == nullptr) return manifest_error(path, "retired is not an array");
    for (size_t i = 0; i < list->size(); ++i) {
      auto entry = parse_entry((*list)[i], true, "retired[" + std::to_string(i) + "]", path);
      if (!entry) return std::move(entry).error();
      manifest.retired.push_back(std::move(*entry));
    }
  }
  return manifest;
}

boost::json::object entry_json(const ManifestEntry& entry) {
  boost::json::object out{
      {"kid", entry.kid}, {"alg", auth::jwt::to_string(entry.alg)}, {"created", entry.created}};
  if (entry.retired) out["retired"] = *entry.retired;
  return out;
}

std::string serialize_manifest(const Manifest& manifest) {
  boost::json::array retired;
  for (const auto& entry : manifest.retired)
    retired.push_back(entry_json(entry));
  boost::json::object root{{"version", kManifestVersion},
                           {"active", entry_json(manifest.active)},
                           {"retired", std::move(retired)}};
  return boost::json::serialize(root) + "\n";
}

// The manifest, or nullopt when the directory has none yet.
core::Result<std::optional<Manifest>> read_manifest(const KeyDirOptions& opts) {
  const std::string path = path_of(opts, kManifestFile);
  auto text = core::read_file(path, kMaxManifestBytes);
  if (!text) {
    if (text.error().code() == core::Code::kNotFound) return std::optional<Manifest>();
    return std::move(text).error();
  }
  auto manifest = parse_manifest(*text, path);
  if (!manifest) return std::move(manifest).error();
  return std::optional<Manifest>(std::move(*manifest));
}

bool within_grace(const ManifestEntry& entry, const KeyDirOptions& opts, int64_t now) {
  return !entry.retired || now - *entry.retired < static_cast<int64_t>(opts.grace_s);
}

// --- generation --------------------------------------------------------------------------------

struct GeneratedKey {
  auth::jwt::PkeyPtr pkey;
  std::string kid;
  std::string certificate_der;
};

core::Status unsupported_alg(Alg alg) {
  return core::invalid_argument("cannot generate signing keys for " +
                                std::string(auth::jwt::to_string(alg)) +
                                "; use RS256, ES256 or EdDSA");
}

core::Result<auth::jwt::PkeyPtr> generate_pkey(Alg alg) {
  EVP_PKEY* pkey = nullptr;
  switch (alg) {
    case Alg::kRS256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
    case Alg::kES256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Alg::kEdDSA:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    default:
      return unsupported_alg(alg);
  }
  if (pkey == nullptr) {
    ERR_clear_error();
    return core::internal_error("key generation failed for " +
                                std::string(auth::jwt::to_string(alg)));
  }
  return auth::jwt::PkeyPtr(pkey);
}

core::Result<GeneratedKey> generate_key(const KeyDirOptions& opts, int64_t now) {
  auto pkey = generate_pkey(opts.alg);
  if (!pkey) return std::move(pkey).error();
  auto jwk = public_jwk_members(pkey->get());
  if (!jwk) return std::move(jwk).error();
  auto kid = jwk_thumbprint(*jwk);
  if (!kid) return std::move(kid).error();
  auto certificate = make_self_signed_certificate(pkey->get(), opts.certificate_cn, now);
  if (!certificate) return std::move(certificate).error();
  return GeneratedKey{std::move(*pkey), std::move(*kid), std::move(*certificate)};
}

// PKCS#8 PEM of the private key. The caller wipes the returned text after use.
core::Result<std::string> private_key_pem(EVP_PKEY* pkey) {
  // A secure-heap memory BIO: its buffer is cleared when freed.
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return core::internal_error("cannot encode the private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return core::internal_error("cannot encode the private key");
  return std::string(data, static_cast<size_t>(len));
}

// Writes the key and its certificate, then the manifest that makes it active, then deletes the
// files of retired keys past the grace. Requires the exclusive lock.
core::Status install_key(const KeyDirOptions& opts, const GeneratedKey& key,
                         const std::optional<Manifest>& previous, int64_t now) {
  auto pem = private_key_pem(key.pkey.get());
  if (!pem) return std::move(pem).error();
  core::Status written = write_file_atomically(opts.dir, key_file_name(key.kid), *pem, 0600);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!written.ok()) return written;
  written = write_file_atomically(opts.dir, certificate_file_name(key.kid),
                                  certificate_pem(key.certificate_der), 0600);
  if (!written.ok()) return written;

  Manifest next;
  next.active = ManifestEntry{key.kid, opts.alg, now, std::nullopt};
  std::vector<std::string> dropped;
  if (previous) {
    ManifestEntry old = previous->active;
    old.retired = now;
    next.retired.push_back(std::move(old));
    for (const auto& entry : previous->retired) {
      if (within_grace(entry, opts, now)) {
        next.retired.push_back(entry);
      } else {
        dropped.push_back(entry.kid);
      }
    }
  }
  written = write_file_atomically(opts.dir, kManifestFile, serialize_manifest(next), 0600);
  if (!written.ok()) return written;
  // Best effort: a file left behind is unused, and the next rotation does not look for it again.
  for (const auto& kid : dropped) {
    (void)remove_file(path_of(opts, key_file_name(kid)));
    (void)remove_file(path_of(opts, certificate_file_name(kid)));
  }
  return {};
}

// --- loading -----------------------------------------------------------------------------------

core::Result<StoredKey> load_key(const KeyDirOptions& opts, const ManifestEntry& entry) {
  const std::string key_path = path_of(opts, key_file_name(entry.kid));
  auto pem = read_private_file(key_path, kMaxKeyFileBytes);
  if (!pem) return std::move(pem).error();
  auto signing = auth::jwt::SigningKey::from_pem(*pem, entry.alg, entry.kid);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!signing) {
    return core::invalid_argument("key file '" + key_path + "': " + signing.error().message());
  }
  auto jwk = public_jwk_members(signing->pkey());
  if (!jwk) return std::move(jwk).error();
  auto thumbprint = jwk_thumbprint(*jwk);
  if (!thumbprint) return std::move(thumbprint).error();
  if (*thumbprint != entry.kid) {
    return core::invalid_argument("key file '" + key_path +
                                  "' does not hold the key its name says (thumbprint " +
                                  *thumbprint + "); restore the original file");
  }
  auto verification = signing->verification_key();
  if (!verification) return std::move(verification).error();

  const std::string certificate_path = path_of(opts, certificate_file_name(entry.kid));
  auto certificate_text = core::read_file(certificate_path, kMaxKeyFileBytes);
  if (!certificate_text) return std::move(certificate_text).error();
  auto der = certificate_der_from_pem(*certificate_text);
  if (!der || !certificate_matches_key(*der, signing->pkey())) {
    return core::invalid_argument("certificate file '" + certificate_path +
                                  "' does not certify the key of '" + key_path + "'");
  }
  return StoredKey{.kid = entry.kid,
                   .alg = entry.alg,
                   .created_unix = entry.created,
                   .retired_unix = entry.retired,
                   .signing_key = std::move(*signing),
                   .verification_key = std::move(*verification),
                   .public_jwk = std::move(*jwk),
                   .certificate_der = std::move(*der)};
}

// Requires a lock (shared or exclusive).
core::Result<KeySet> load_locked(const KeyDirOptions& opts, int64_t now) {
  const std::string path = path_of(opts, kManifestFile);
  auto stamp = stamp_of(path);
  if (!stamp) return std::move(stamp).error();
  auto manifest = read_manifest(opts);
  if (!manifest) return std::move(manifest).error();
  if (!*manifest) {
    return core::not_found("key manifest '" + path +
                           "' does not exist; start the gateway or run `gatehouse keys rotate` "
                           "to create a key");
  }
  KeySet set;
  set.manifest_stamp = *stamp;
  auto active = load_key(opts, (*manifest)->active);
  if (!active) return std::move(active).error();
  set.keys.push_back(std::move(*active));
  for (const auto& entry : (*manifest)->retired) {
    if (!within_grace(entry, opts, now)) continue;  // its files may already be gone
    auto retired = load_key(opts, entry);
    if (!retired) return std::move(retired).error();
    set.keys.push_back(std::move(*retired));
  }
  return set;
}

std::string lock_path(const KeyDirOptions& opts) {
  return path_of(opts, kLockFile);
}

// A new key, generated outside any lock (an RSA key takes tens of milliseconds, during which a
// serving process polling the directory should not be held up), then installed as the active key
// under the exclusive lock if `wanted` (shown the manifest read under it) still says so. Returns
// the lock, held, and the new key's kid ("" if it was not installed).
struct NewKey {
  DirectoryLock lock;
  std::string kid;
};
template <class Wanted>
core::Result<NewKey> install_new_key(const KeyDirOptions& opts, int64_t now, Wanted wanted) {
  auto generated = generate_key(opts, now);
  if (!generated) return std::move(generated).error();
  auto lock = DirectoryLock::acquire(lock_path(opts), DirectoryLock::kExclusive, true);
  if (!lock) return std::move(lock).error();
  auto manifest = read_manifest(opts);
  if (!manifest) return std::move(manifest).error();
  if (!wanted(*manifest)) return NewKey{std::move(*lock), ""};
  if (core::Status installed = install_key(opts, *generated, *manifest, now); !installed.ok()) {
    return installed;
  }
  return NewKey{std::move(*lock), std::move(generated->kid)};
}

}  // namespace

bool is_supported_signing_alg(Alg alg) {
  return alg == Alg::kRS256 || alg == Alg::kES256 || alg == Alg::kEdDSA;
}

core::Result<KeySet> load_key_dir(const KeyDirOptions& opts, const core::Clock& clock,
                                  bool wait_for_lock) {
  auto lock = DirectoryLock::acquire(lock_path(opts), DirectoryLock::kShared, wait_for_lock);
  if (!lock) return std::move(lock).error();
  return load_locked(opts, clock.unix_seconds());
}

core::Result<KeySet> open_key_dir(const KeyDirOptions& opts, const core::Clock& clock) {
  if (!is_supported_signing_alg(opts.alg)) return unsupported_alg(opts.alg);
  if (core::Status made = ensure_private_directory(opts.dir); !made.ok()) return made;
  {
    auto lock = DirectoryLock::acquire(lock_path(opts), DirectoryLock::kShared, true);
    if (!lock) return std::move(lock).error();
    auto stamp = stamp_of(path_of(opts, kManifestFile));
    if (!stamp) return std::move(stamp).error();
    if (stamp->exists) {
      auto loaded = load_locked(opts, clock.unix_seconds());
      if (!loaded || loaded->active().alg == opts.alg) return loaded;
    }
  }
  const int64_t now = clock.unix_seconds();
  // Another process may have created (or switched) the key while we generated ours.
  auto installed = install_new_key(opts, now, [&](const std::optional<Manifest>& manifest) {
    return !manifest || manifest->active.alg != opts.alg;
  });
  if (!installed) return std::move(installed).error();
  return load_locked(opts, now);
}

core::Result<std::string> rotate_key_dir(const KeyDirOptions& opts, const core::Clock& clock) {
  if (!is_supported_signing_alg(opts.alg)) return unsupported_alg(opts.alg);
  if (core::Status made = ensure_private_directory(opts.dir); !made.ok()) return made;
  auto installed = install_new_key(opts, clock.unix_seconds(),
                                   [](const std::optional<Manifest>&) { return true; });
  if (!installed) return std::move(installed).error();
  return std::move(installed->kid);
}

}  // namespace gatehouse::issuer
