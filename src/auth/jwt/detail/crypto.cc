#include "auth/jwt/detail/crypto.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>

#include "core/assert.h"

namespace gatehouse::auth::jwt::detail {
namespace {

// Fetched once, freed at exit (after thread_local contexts on the main thread are gone).
struct Algorithms {
  Algorithms()
      : sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
        sha384(EVP_MD_fetch(nullptr, "SHA384", nullptr)),
        sha512(EVP_MD_fetch(nullptr, "SHA512", nullptr)),
        hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {
    GH_CHECK(sha256 != nullptr && sha384 != nullptr && sha512 != nullptr && hmac != nullptr);
  }
  ~Algorithms() {
    EVP_MD_free(sha256);
    EVP_MD_free(sha384);
    EVP_MD_free(sha512);
    EVP_MAC_free(hmac);
  }
  Algorithms(const Algorithms&) = delete;
  Algorithms& operator=(const Algorithms&) = delete;

  EVP_MD* sha256;
  EVP_MD* sha384;
  EVP_MD* sha512;
  EVP_MAC* hmac;
};

const Algorithms& algorithms() {
  static const Algorithms algs;
  return algs;
}

// One HMAC context per hash per thread, created with its digest set once; EVP_MAC_init with a
// new key and no parameters re-keys it without fetching the digest again.
struct MacContexts {
  MacContexts() {
    const Algorithms& algs = algorithms();
    const char* names[3] = {"SHA256", "SHA384", "SHA512"};
    for (int i = 0; i < 3; ++i) {
      ctx[i] = EVP_MAC_CTX_new(algs.hmac);
      GH_CHECK(ctx[i] != nullptr);
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(names[i]), 0),
          OSSL_PARAM_construct_end()};
      GH_CHECK(EVP_MAC_CTX_set_params(ctx[i], params) == 1);
    }
  }
  ~MacContexts() {
    for (EVP_MAC_CTX* c : ctx)
      EVP_MAC_CTX_free(c);
  }
  MacContexts(const MacContexts&) = delete;
  MacContexts& operator=(const MacContexts&) = delete;

  EVP_MAC_CTX* ctx[3] = {};
};

std::atomic<uint64_t> next_contexts_id{1};

// One thread's copies of verification templates, most recently used first.
struct ThreadVerifyCopies {
  struct Copy {
    uint64_t contexts_id = 0;  // 0: empty
    Alg alg = Alg::kRS256;
    EVP_PKEY_CTX* ctx = nullptr;
  };
  ThreadVerifyCopies() = default;
  ~ThreadVerifyCopies() {
    for (Copy& c : copies)
      EVP_PKEY_CTX_free(c.ctx);
  }
  ThreadVerifyCopies(const ThreadVerifyCopies&) = delete;
  ThreadVerifyCopies& operator=(const ThreadVerifyCopies&) = delete;

  // This thread's copy of `contexts`' template for `alg`, made now if there is none.
  EVP_PKEY_CTX* get(const VerifyContexts& contexts, Alg alg) {
    for (size_t i = 0; i < copies.size(); ++i) {
      if (copies[i].contexts_id != contexts.id() || copies[i].alg != alg) continue;
      std::rotate(copies.begin(), copies.begin() + static_cast<long>(i),
                  copies.begin() + static_cast<long>(i) + 1);
      return copies[0].ctx;
    }
    const EVP_PKEY_CTX* prepared = contexts.get(alg);
    if (prepared == nullptr) return nullptr;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_dup(prepared);
    if (ctx == nullptr) return nullptr;
    // The least recently used copy makes room.
    EVP_PKEY_CTX_free(copies.back().ctx);
    std::rotate(copies.rbegin(), copies.rbegin() + 1, copies.rend());
    copies[0] = Copy{contexts.id(), alg, ctx};
    return ctx;
  }

  std::array<Copy, kVerifyCopiesPerThread> copies{};
};

// Appends a DER INTEGER holding the unsigned big-endian `bytes`.
unsigned char* put_der_integer(std::string_view bytes, unsigned char* out) {
  size_t skip = 0;
  while (skip + 1 < bytes.size() && bytes[skip] == 0)
    ++skip;
  bytes.remove_prefix(skip);
  bool pad = (static_cast<unsigned char>(bytes[0]) & 0x80) != 0;
  *out++ = 0x02;
  *out++ = static_cast<unsigned char>(bytes.size() + (pad ? 1 : 0));
  if (pad) *out++ = 0x00;
  std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}

}  // namespace

const EVP_MD* digest_for(Alg alg) {
  const Algorithms& algs = algorithms();
  switch (alg) {
    case Alg::kRS256:
    case Alg::kPS256:
    case Alg::kES256:
    case Alg::kHS256:
      return algs.sha256;
    case Alg::kRS384:
    case Alg::kPS384:
    case Alg::kES384:
    case Alg::kHS384:
      return algs.sha384;
    case Alg::kRS512:
    case Alg::kPS512:
    case Alg::kHS512:
      return algs.sha512;
    case Alg::kEdDSA:
      return nullptr;
  }
  return nullptr;
}

size_t ecdsa_coordinate_bytes(Alg alg) {
  return alg == Alg::kES384 ? 48 : 32;
}

size_t ecdsa_raw_to_der(std::string_view raw, size_t coord_bytes, unsigned char* out) {
  if (raw.size() != 2 * coord_bytes) return 0;
  // Content is at most 2 * (2 + 1 + 48) = 102 bytes, so the short length form always fits.
  unsigned char* p = out + 2;
  p = put_der_integer(raw.substr(0, coord_bytes), p);
  p = put_der_integer(raw.substr(coord_bytes), p);
  out[0] = 0x30;
  out[1] = static_cast<unsigned char>(p - out - 2);
  return static_cast<size_t>(p - out);
}

std::optional<std::string> ecdsa_der_to_raw(std::string_view der, size_t coord_bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * coord_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, static_cast<int>(coord_bytes)) < 0 ||
      BN_bn2binpad(s, out + coord_bytes, static_cast<int>(coord_bytes)) < 0) {
    return std::nullopt;
  }
  return raw;
}

size_t hmac(Alg alg, std::string_view secret, std::string_view data, unsigned char* out) {
  thread_local MacContexts contexts;
  int index = alg == Alg::kHS384 ? 1 : alg == Alg::kHS512 ? 2 : 0;
  EVP_MAC_CTX* ctx = contexts.ctx[index];
  size_t len = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                   nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out, &len, EVP_MAX_MD_SIZE) != 1) {
    return 0;
  }
  return len;
}

VerifyContexts::VerifyContexts(EVP_PKEY* pkey, KeyType type, std::optional<Alg> only)
    : id_(next_contexts_id.fetch_add(1, std::memory_order_relaxed)) {
  for (Alg alg : kAllAlgs) {
    if (alg == Alg::kEdDSA || key_type_for(alg) != type || (only && *only != alg)) continue;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    if (ctx == nullptr || EVP_PKEY_verify_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx, digest_for(alg)) != 1 || !set_padding(ctx, alg)) {
      EVP_PKEY_CTX_free(ctx);
      ERR_clear_error();
      continue;
    }
    contexts_[static_cast<size_t>(alg)] = ctx;
  }
}

VerifyContexts::~VerifyContexts() {
  for (EVP_PKEY_CTX* ctx : contexts_)
    EVP_PKEY_CTX_free(ctx);
}

MdCtx::MdCtx() : ctx(EVP_MD_CTX_new()) {
  GH_CHECK(ctx != nullptr);
}

MdCtx::~MdCtx() {
  EVP_MD_CTX_free(ctx);
}

unsigned int digest(const EVP_MD* md, std::string_view data, unsigned char* out) {
  // Reinitialized per use; with the same digest as last time OpenSSL keeps its provider context.
  thread_local MdCtx thread_digest;
  EVP_MD_CTX* ctx = thread_digest.ctx;
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out, &len) != 1) {
    return 0;
  }
  return len;
}

bool verify_digest(const VerifyContexts& contexts, Alg alg, std::string_view signature,
                   const unsigned char* digest, size_t digest_len) {
  thread_local ThreadVerifyCopies thread_copies;
  EVP_PKEY_CTX* ctx = thread_copies.get(contexts, alg);
  return ctx != nullptr &&
         EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), digest, digest_len) == 1;
}

bool set_padding(EVP_PKEY_CTX* pctx, Alg alg) {
  if (alg != Alg::kPS256 && alg != Alg::kPS384 && alg != Alg::kPS512) return true;
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest_for(alg)) == 1;
}

}  // namespace gatehouse::auth::jwt::detail
