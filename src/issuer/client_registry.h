// The configured OAuth clients and their credentials. A client secret is kept only as a salted
// scrypt hash (RFC 7914), so a memory dump or core file does not hand out working credentials,
// and checked in constant time.
//
// Usage:
//   auto clients = ClientRegistry::create(options.clients);   // hashes and wipes the secrets
//   const Client* client = (*clients)->authenticate(id, secret);   // ~tens of ms: not on I/O
//   threads
//
// Thread safety: immutable after create(); authenticate() may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "issuer/issuer.h"

namespace gatehouse::issuer {

// scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB of memory per derivation; the parameters RFC 7914
// §2 and OWASP name for interactive logins). One derivation costs ~40 ms on a 2020s server
// core: cheap once per token request, expensive for an offline guesser.
struct ScryptCost {
  uint64_t n = uint64_t{1} << 14;
  uint32_t r = 8;
  uint32_t p = 1;
};
inline constexpr ScryptCost kScryptCost{};
inline constexpr size_t kSaltBytes = 16;
inline constexpr size_t kSecretHashBytes = 32;

// The scrypt hash of `secret` under `salt` with kScryptCost, kSecretHashBytes long.
// Errors: kInternal when OpenSSL fails (out of memory).
core::Result<std::string> scrypt_hash(std::string_view secret, std::string_view salt);

// A configured client, without its secret.
struct Client {
  std::string id;
  std::vector<std::string> audiences;
  std::vector<std::string> scopes;
  uint32_t token_lifetime_s = 0;
  bool client_credentials_allowed = false;  // "client_credentials" is in its grant_types

  bool allows_audience(std::string_view audience) const;
  bool allows_scope(std::string_view scope) const;
};

class ClientRegistry {
 public:
  // Validates the clients and replaces each secret by its hash; the plain secrets in `clients`
  // are wiped (OPENSSL_cleanse) and cleared whether or not this succeeds. Errors
  // (kInvalidArgument, naming the client): no clients, an empty or duplicate id, an empty secret,
  // no audiences or an empty one, an empty scope or one containing a space, a grant type other
  // than "client_credentials", a token lifetime of 0.
  static core::Result<std::unique_ptr<ClientRegistry>> create(std::vector<ClientOptions>& clients);

  // The client with this id, or nullptr. Does not authenticate.
  const Client* find(std::string_view id) const;

  // The client when `secret` is its secret; nullptr otherwise. Costs one scrypt derivation
  // whether or not the id exists (a fixed dummy hash stands in for unknown ids), so response
  // time does not tell which client ids exist. The hashes are compared with CRYPTO_memcmp.
  const Client* authenticate(std::string_view id, std::string_view secret) const;

  // Every scope any client may get, sorted and without repeats.
  std::vector<std::string> all_scopes() const;

 private:
  struct Entry {
    Client client;
    std::string salt;
    std::string hash;
  };
  ClientRegistry() = default;
  bool secret_matches(std::string_view secret, const std::string& salt,
                      const std::string& hash) const;

  // Immutable after create().
  std::unordered_map<std::string, Entry> clients_;
  std::string dummy_salt_;
  std::string dummy_hash_;
};

}  // namespace gatehouse::issuer
