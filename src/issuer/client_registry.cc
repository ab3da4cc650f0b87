#include "issuer/client_registry.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <set>

#include "issuer/wipe.h"

namespace gatehouse::issuer {
namespace {

struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

// Fetched once: EVP_KDF_fetch takes a lock and a provider lookup.
EVP_KDF* scrypt_kdf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  return kdf;
}

core::Result<std::string> random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    ERR_clear_error();
    return core::internal_error("the random generator failed");
  }
  return out;
}

core::Status check_client(const ClientOptions& client, const std::string& where) {
  if (client.secret.empty()) return core::invalid_argument(where + ": the secret is empty");
  if (client.audiences.empty()) {
    return core::invalid_argument(where + ": no audiences; list the APIs this client may call");
  }
  for (const auto& audience : client.audiences) {
    if (audience.empty()) return core::invalid_argument(where + ": an audience is empty");
  }
  for (const auto& scope : client.scopes) {
    if (scope.empty() || scope.find(' ') != std::string::npos) {
      return core::invalid_argument(where + ": scope '" + scope +
                                    "' is empty or contains a space; list one scope per entry");
    }
  }
  for (const auto& grant : client.grant_types) {
    if (grant != "client_credentials") {
      return core::invalid_argument(where + ": grant type '" + grant +
                                    "' is not supported; only client_credentials is");
    }
  }
  if (client.token_lifetime_s == 0) {
    return core::invalid_argument(where + ": token_lifetime_s must be at least 1");
  }
  return {};
}

}  // namespace

core::Result<std::string> scrypt_hash(std::string_view secret, std::string_view salt) {
  EVP_KDF* kdf = scrypt_kdf();
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr);
  if (!ctx) {
    ERR_clear_error();
    return core::internal_error("scrypt is not available");
  }
  uint64_t n = kScryptCost.n;
  uint32_t r = kScryptCost.r;
  uint32_t p = kScryptCost.p;
  // OSSL_PARAM takes non-const pointers but only reads inputs.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_end()};
  std::string hash(kSecretHashBytes, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     params) != 1) {
    ERR_clear_error();
    return core::internal_error("scrypt derivation failed");
  }
  return hash;
}

bool Client::allows_audience(std::string_view audience) const {
  return std::find(audiences.begin(), audiences.end(), audience) != audiences.end();
}

bool Client::allows_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

core::Result<std::unique_ptr<ClientRegistry>> ClientRegistry::create(
    std::vector<ClientOptions>& clients) {
  // Wipes every plain secret on every return path.
  struct WipeAll {
    std::vector<ClientOptions>& clients;
    ~WipeAll() {
      for (auto& client : clients)
        wipe(client.secret);
    }
  } wipe_all{clients};

  if (clients.empty()) {
    return core::invalid_argument("the issuer has no clients; configure at least one");
  }
  std::unique_ptr<ClientRegistry> registry(new ClientRegistry());
  for (size_t i = 0; i < clients.size(); ++i) {
    ClientOptions& options = clients[i];
    const std::string where = "issuer client " + std::to_string(i) + " ('" + options.id + "')";
    if (options.id.empty()) {
      return core::invalid_argument("issuer client " + std::to_string(i) + ": the id is empty");
    }
    if (registry->clients_.count(options.id) != 0) {
      return core::invalid_argument(where + ": duplicate client id");
    }
    if (core::Status valid = check_client(options, where); !valid.ok()) return valid;
    auto salt = random_bytes(kSaltBytes);
    if (!salt) return std::move(salt).error();
    auto hash = scrypt_hash(options.secret, *salt);
    if (!hash) return std::move(hash).error();
    Entry entry;
    entry.client.id = options.id;
    entry.client.audiences = options.audiences;
    entry.client.scopes = options.scopes;
    entry.client.token_lifetime_s = options.token_lifetime_s;
    entry.client.client_credentials_allowed =
        std::find(options.grant_types.begin(), options.grant_types.end(), "client_credentials") !=
        options.grant_types.end();
    entry.salt = std::move(*salt);
    entry.hash = std::move(*hash);
    registry->clients_.emplace(options.id, std::move(entry));
  }
  // The stand-in for unknown ids: a hash nothing derives to, so the comparison always fails.
  auto dummy_salt = random_bytes(kSaltBytes);
  auto dummy_hash = random_bytes(kSecretHashBytes);
  if (!dummy_salt) return std::move(dummy_salt).error();
  if (!dummy_hash) return std::move(dummy_hash).error();
  registry->dummy_salt_ = std::move(*dummy_salt);
  registry->dummy_hash_ = std::move(*dummy_hash);
  return registry;
}

const Client* ClientRegistry::find(std::string_view id) const {
  auto it = clients_.find(std::string(id));
  return it == clients_.end() ? nullptr : &it->second.client;
}

bool ClientRegistry::secret_matches(std::string_view secret, const std::string& salt,
                                    const std::string& hash) const {
  auto derived = scrypt_hash(secret, salt);
  if (!derived) return false;
  bool same = derived->size() == hash.size() &&
              CRYPTO_memcmp(derived->data(), hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(derived->data(), derived->size());
  return same;
}

const Client* ClientRegistry::authenticate(std::string_view id, std::string_view secret) const {
  auto it = clients_.find(std::string(id));
  if (it == clients_.end()) {
    (void)secret_matches(secret, dummy_salt_, dummy_hash_);
    return nullptr;
  }
  return secret_matches(secret, it->second.salt, it->second.hash) ? &it->second.client : nullptr;
}

std::vector<std::string> ClientRegistry::all_scopes() const {
  std::set<std::string> scopes;
  for (const auto& [id, entry] : clients_)
    scopes.insert(entry.client.scopes.begin(), entry.client.scopes.end());
  return {scopes.begin(), scopes.end()};
}

}  // namespace gatehouse::issuer
