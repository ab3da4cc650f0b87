// TLS on a listener: the certificates it presents (one chosen per connection by the name the
// client asks for, SNI), the protocol versions and ciphers it accepts, and whether it asks for a
// client certificate (mutual TLS). Loaded from files at start and again at each reload; a listener
// takes the settings current when it accepts a connection, and a connection keeps the ones it
// started with.
//
// The facts of one connection (TlsFacts) are derived once, after its handshake, and shared by
// every request on it: the events' requestContext.identity.clientCert, the $context variables and
// X-Forwarded-Proto all read the same ones.
//
// Thread safety: a loaded TlsServerContext is immutable and shared by every I/O thread (OpenSSL's
// SSL_CTX is safe to create connections from concurrently).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tls_facts.h"

namespace gatehouse::http {

// A connection's facts are core's (the events read them without depending on http).
using core::ClientCertificate;
using core::TlsFacts;

struct TlsServerOptions {
  struct Certificate {
    std::string certificate_file{};  // PEM: the certificate, then its intermediates
    std::string key_file{};          // PEM, unencrypted
  };
  // At least one. The first is presented when the client names no host, or one no certificate
  // covers; the others when the client's SNI name is one of their DNS names.
  std::vector<Certificate> certificates{};
  bool tls13_only = false;  // otherwise TLS 1.2 and 1.3
  std::string ciphers{};    // TLS 1.2 cipher list (OpenSSL syntax); empty: kDefaultCiphers
  // Mutual TLS: PEM CA certificates a client certificate must chain to; empty asks for none.
  std::string client_ca_file{};
  // With client_ca_file: a handshake without a client certificate fails (API Gateway's
  // behaviour); false lets the client go without one (events then carry clientCert null).
  bool client_certificate_required = true;
};

// TLS 1.2 ciphers when none are configured: forward-secret AEAD only (TLS 1.3's own suites are
// OpenSSL's defaults, all of that kind).
inline constexpr std::string_view kDefaultCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

class TlsServerContext {
 public:
  // Reads the files (each once, at most 1 MiB) and builds the contexts. Errors name the file and
  // what is wrong with it (a missing file, a key that is not the certificate's, a cipher list
  // OpenSSL does not know); never a key's contents.
  static core::Result<std::shared_ptr<const TlsServerContext>> load(
      const TlsServerOptions& options);

  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // What a connection starts with; the SNI callback moves it to the certificate the client named.
  boost::asio::ssl::context& context() const { return *contexts_.front(); }

  // A loaded certificate, for the start and reload logs.
  struct CertificateInfo {
    std::string file;
    std::vector<std::string> names;  // its DNS names (subjectAltName, else the CN), lower-case
    int64_t not_after_epoch_s = 0;
  };
  const std::vector<CertificateInfo>& certificates() const { return certificates_; }
  bool asks_client_certificate() const { return asks_client_certificate_; }

  // The facts of a connection whose handshake completed on `ssl`.
  TlsFacts facts(SSL* ssl) const;
  // After a TLS 1.3 handshake: one session ticket (to resume with), written with the connection's
  // next write rather than in one of its own.
  static void queue_session_ticket(SSL* ssl);

 private:
  TlsServerContext() = default;
  static int on_server_name(SSL* ssl, int* alert, void* arg);
  // The index into contexts_ of the certificate for `name` (lower-case): an exact DNS name, else
  // a wildcard one ("*.example.com" covers one label); 0 when none covers it.
  size_t certificate_for(std::string_view name) const;

  std::vector<std::unique_ptr<boost::asio::ssl::context>> contexts_;  // one per certificate
  std::vector<CertificateInfo> certificates_;
  bool asks_client_certificate_ = false;
};

}  // namespace gatehouse::http
