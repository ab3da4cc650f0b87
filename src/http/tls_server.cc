#include "http/tls_server.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>

#include "core/files.h"
#include "core/text.h"

namespace gatehouse::http {

namespace ssl = boost::asio::ssl;

namespace {

// The reason of the last OpenSSL error ("no such file", "key values mismatch"), the queue emptied.
std::string openssl_reason(const boost::system::error_code& ec = {}) {
  unsigned long e = ERR_peek_last_error();
  std::string why;
  if (e != 0) {
    const char* r = ERR_reason_error_string(e);
    why = r ? r : "unknown OpenSSL error";
  } else if (ec) {
    why = ec.message();
  } else {
    why = "unknown OpenSSL error";
  }
  ERR_clear_error();
  return why;
}

// The text OpenSSL's BIO printer wrote into `bio`.
std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
Bio mem_bio() {
  return Bio(BIO_new(BIO_s_mem()), &BIO_free);
}

// A distinguished name as API Gateway writes it: its attributes in the certificate's order,
// comma-separated, RFC 2253 escaping, UTF-8 ("C=US,O=Example,CN=client").
std::string distinguished_name(const X509_NAME* name) {
  Bio bio = mem_bio();
  if (!bio) return {};
  const unsigned long flags = (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) |
                              XN_FLAG_SEP_COMMA_PLUS | XN_FLAG_FN_SN | XN_FLAG_DUMP_UNKNOWN_FIELDS;
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return {};
  return bio_text(bio.get());
}

std::string asn1_time(const ASN1_TIME* t) {
  Bio bio = mem_bio();
  if (!bio || ASN1_TIME_print(bio.get(), t) != 1) return {};
  return bio_text(bio.get());
}

std::string decimal_serial(const ASN1_INTEGER* serial) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(serial, nullptr), &BN_free);
  if (!bn) return {};
  char* text = BN_bn2dec(bn.get());
  if (!text) return {};
  std::string out = text;
  OPENSSL_free(text);
  return out;
}

ClientCertificate describe(X509* cert) {
  ClientCertificate c;
  if (Bio bio = mem_bio(); bio && PEM_write_bio_X509(bio.get(), cert) == 1) {
    c.pem = bio_text(bio.get());
  }
  c.subject_dn = distinguished_name(X509_get_subject_name(cert));
  c.issuer_dn = distinguished_name(X509_get_issuer_name(cert));
  c.serial_number = decimal_serial(X509_get0_serialNumber(cert));
  c.not_before = asn1_time(X509_get0_notBefore(cert));
  c.not_after = asn1_time(X509_get0_notAfter(cert));
  return c;
}

bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
           ch == '*';
  });
}

// The DNS names a certificate is for: its subjectAltName's, or, without any, its CN when that is
// a host name. Lower-case.
std::vector<std::string> dns_names(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
      if (g->type != GEN_DNS) continue;
      const ASN1_IA5STRING* s = g->d.dNSName;
      std::string name = core::ascii_lower(std::string_view(
          reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s)));
      if (is_host_name(name)) names.push_back(std::move(name));
    }
    GENERAL_NAMES_free(sans);
  }
  if (!names.empty()) return names;
  X509_NAME* subject = X509_get_subject_name(cert);
  int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return names;
  const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  std::string name = core::ascii_lower(std::string_view(
      reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)), ASN1_STRING_length(cn)));
  if (is_host_name(name)) names.push_back(std::move(name));
  return names;
}

int64_t epoch_seconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

// The settings every context of a listener shares. SNI moves a connection from the first context
// to another one: OpenSSL then takes the certificate, and the trust store client certificates are
// verified against, from the new one, so they must not differ but in the certificate.
// A PEM file's bytes, read once per load (every context of the listener gets them), at most
// kMaxPemBytes: a wrong path to a large file fails at once.
constexpr size_t kMaxPemBytes = 1 << 20;
core::Result<std::string> read_pem(std::string_view what, const std::string& path) {
  auto bytes = core::read_file(path, kMaxPemBytes);
  if (!bytes) return core::invalid_argument(std::string(what) + ": " + bytes.error().message());
  return bytes;
}

using MemBio = std::unique_ptr<BIO, decltype(&BIO_free)>;
MemBio pem_bio(const std::string& pem) {
  return MemBio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

// The settings every context of a listener shares. SNI moves a connection from the first context
// to another one: OpenSSL then takes the certificate, and the trust store client certificates are
// verified against, from the new one, so they must not differ but in the certificate.
// `truststore`: the PEM CA certificates of mutual TLS (o.client_ca_file's bytes), or empty.
core::Status configure(ssl::context& context, const TlsServerOptions& o,
                       const std::string& truststore) {
  SSL_CTX* ctx = context.native_handle();
  SSL_CTX_set_min_proto_version(ctx, o.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
  // No renegotiation (a client could make the server redo handshakes at will), the server's
  // cipher order, no compression (CRIME).
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  // An idle keep-alive connection holds no OpenSSL record buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  const std::string ciphers = o.ciphers.empty() ? std::string(kDefaultCiphers) : o.ciphers;
  if (SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) {
    ERR_clear_error();
    return core::invalid_argument("ciphers: OpenSSL knows none of the ciphers in '" + ciphers +
                                  "' (an OpenSSL cipher list, e.g. ECDHE-RSA-AES128-GCM-SHA256)");
  }
  // TLS 1.3 tickets are not written at the handshake's end, in a write of their own: one goes
  // out with the connection's first answer (queue_session_ticket).
  SSL_CTX_set_num_tickets(ctx, 0);
  static constexpr unsigned char kSessionContext[] = "gatehouse";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  if (o.client_ca_file.empty()) return {};
  // Each CA is trusted for verification and named to the client, so it picks a certificate one
  // of them issued.
  MemBio bio = pem_bio(truststore);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int count = 0;
  while (X509* ca = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr) {
    const bool added = X509_STORE_add_cert(store, ca) == 1 && SSL_CTX_add_client_CA(ctx, ca) == 1;
    X509_free(ca);
    if (!added) {
      return core::invalid_argument("mutual_tls.truststore " + o.client_ca_file + ": " +
                                    openssl_reason() + " (certificate " +
                                    std::to_string(count + 1) + ")");
    }
    ++count;
  }
  ERR_clear_error();  // the end of the PEM text reads as an error
  if (count == 0) {
    return core::invalid_argument("mutual_tls.truststore " + o.client_ca_file +
                                  " holds no PEM certificate (expected the CA certificates "
                                  "client certificates must chain to)");
  }
  int mode = SSL_VERIFY_PEER;
  if (o.client_certificate_required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);
  SSL_CTX_set_verify_depth(ctx, 10);
  return {};
}

// Never prompts for a passphrase (OpenSSL's default would ask the terminal); says that one was
// asked for.
int refuse_passphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return 0;
}

// The certificate (and its chain) and key of `c`, whose files' bytes are `chain` and `key`.
core::Status load_certificate(ssl::context& context, const TlsServerOptions::Certificate& c,
                              const std::string& chain, const std::string& key) {
  SSL_CTX* ctx = context.native_handle();
  boost::system::error_code ec;
  context.use_certificate_chain(boost::asio::buffer(chain), ec);
  if (ec) {
    return core::invalid_argument("certificate " + c.certificate_file + ": " + openssl_reason(ec) +
                                  " (expected PEM: the certificate, then its intermediates)");
  }
  bool asked = false;
  MemBio bio = pem_bio(key);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, &refuse_passphrase, &asked) : nullptr,
      &EVP_PKEY_free);
  if (!pkey) {
    ERR_clear_error();
    if (asked) {
      return core::invalid_argument("key " + c.key_file +
                                    " is encrypted; gatehouse reads unencrypted PEM keys (write "
                                    "one with `openssl pkey -in <key> -out <plain key>`, readable "
                                    "by gatehouse alone)");
    }
    return core::invalid_argument("key " + c.key_file +
                                  ": no PEM private key in it (expected an unencrypted PEM "
                                  "private key)");
  }
  if (SSL_CTX_use_PrivateKey(ctx, pkey.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return core::invalid_argument("key " + c.key_file + " is not the private key of certificate " +
                                  c.certificate_file);
  }
  return {};
}

}  // namespace

TlsServerContext::~TlsServerContext() = default;

core::Result<std::shared_ptr<const TlsServerContext>> TlsServerContext::load(
    const TlsServerOptions& options) {
  if (options.certificates.empty()) {
    return core::invalid_argument("certificates: at least one certificate is needed");
  }
  std::shared_ptr<TlsServerContext> out(new TlsServerContext());
  out->asks_client_certificate_ = !options.client_ca_file.empty();
  std::string truststore;
  if (out->asks_client_certificate_) {
    auto pem = read_pem("mutual_tls.truststore", options.client_ca_file);
    if (!pem) return pem.error();
    truststore = std::move(*pem);
  }
  for (const TlsServerOptions::Certificate& c : options.certificates) {
    auto chain = read_pem("certificate", c.certificate_file);
    if (!chain) return chain.error();
    auto key = read_pem("key", c.key_file);
    if (!key) return key.error();
    // The key's bytes are wiped once OpenSSL holds the key (or failed to).
    struct Wipe {
      std::string& bytes;
      ~Wipe() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
    } wipe{*key};
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    if (auto s = configure(*context, options, truststore); !s.ok()) return s;
    if (auto s = load_certificate(*context, c, *chain, *key); !s.ok()) return s;
    X509* leaf = SSL_CTX_get0_certificate(context->native_handle());
    CertificateInfo info{c.certificate_file, dns_names(leaf),
                         epoch_seconds(X509_get0_notAfter(leaf))};
    if (!out->contexts_.empty() && info.names.empty()) {
      return core::invalid_argument(
          "certificate " + c.certificate_file +
          " names no DNS host (no subjectAltName DNS entry, no host name as its CN): only the "
          "first certificate, the default, can be one that SNI never chooses");
    }
    for (const std::string& name : info.names) {
      for (const CertificateInfo& other : out->certificates_) {
        if (std::find(other.names.begin(), other.names.end(), name) != other.names.end()) {
          return core::invalid_argument("certificates " + other.file + " and " +
                                        c.certificate_file + " are both for " + name +
                                        ": which one a client asking for it gets must be clear");
        }
      }
    }
    out->contexts_.push_back(std::move(context));
    out->certificates_.push_back(std::move(info));
  }
  SSL_CTX* first = out->contexts_.front()->native_handle();
  SSL_CTX_set_tlsext_servername_callback(first, &TlsServerContext::on_server_name);
  SSL_CTX_set_tlsext_servername_arg(first, out.get());
  return std::shared_ptr<const TlsServerContext>(std::move(out));
}

size_t TlsServerContext::certificate_for(std::string_view name) const {
  for (size_t i = 0; i < certificates_.size(); ++i) {
    for (const std::string& n : certificates_[i].names) {
      if (n == name) return i;
    }
  }
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0) return 0;
  const std::string_view parent = name.substr(dot);  // ".example.com"
  for (size_t i = 0; i < certificates_.size(); ++i) {
    for (const std::string& n : certificates_[i].names) {
      if (n.size() == parent.size() + 1 && n[0] == '*' && std::string_view(n).substr(1) == parent)
        return i;
    }
  }
  return 0;
}

int TlsServerContext::on_server_name(SSL* ssl, int*, void* arg) {
  const auto* self = static_cast<const TlsServerContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr || self->contexts_.size() == 1) return SSL_TLSEXT_ERR_OK;
  std::string_view asked(name);
  if (asked.size() > 253) return SSL_TLSEXT_ERR_OK;  // no host name: the default certificate
  const size_t i = self->certificate_for(core::ascii_lower(asked));
  if (i != 0) SSL_set_SSL_CTX(ssl, self->contexts_[i]->native_handle());
  return SSL_TLSEXT_ERR_OK;
}

void TlsServerContext::queue_session_ticket(SSL* ssl) {
  if (SSL_version(ssl) == TLS1_3_VERSION && SSL_new_session_ticket(ssl) != 1) ERR_clear_error();
}

TlsFacts TlsServerContext::facts(SSL* ssl) const {
  TlsFacts f;
  if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) {
    f.server_name = core::ascii_lower(std::string_view(name).substr(0, 253));
  }
  f.protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl))
    f.cipher = SSL_CIPHER_get_name(cipher);
  f.client_certificate_asked = asks_client_certificate_;
  if (asks_client_certificate_ && SSL_get_verify_result(ssl) == X509_V_OK) {
    if (X509* peer = SSL_get0_peer_certificate(ssl)) f.client_certificate = describe(peer);
  }
  return f;
}

}  // namespace gatehouse::http
