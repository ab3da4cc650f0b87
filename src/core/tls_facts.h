// What a TLS connection's handshake settled, derived once per connection (http::TlsServerContext::
// facts) and shared by every request on it (http::Request::tls): the events'
// requestContext.identity.clientCert, the $context.identity.clientCert.* variables and
// X-Forwarded-Proto all read these.
#pragma once

#include <optional>
#include <string>

namespace gatehouse::core {

// A client certificate as API Gateway hands it to authorizers and integrations
// (requestContext.identity.clientCert).
struct ClientCertificate {
  std::string pem;            // clientCertPem: the leaf certificate, PEM
  std::string subject_dn;     // subjectDN: "C=US,O=Example,CN=client" (the certificate's order)
  std::string issuer_dn;      // issuerDN, the same form
  std::string serial_number;  // serialNumber, in decimal
  std::string not_before;     // validity.notBefore: "Aug 29 00:28:21 2020 GMT"
  std::string not_after;      // validity.notAfter
};

// What a connection's handshake settled. Shared by the requests on the connection.
struct TlsFacts {
  std::string server_name;  // the SNI name the client sent, lower-case; empty without one
  std::string protocol;     // "TLSv1.3", "TLSv1.2"
  std::string cipher;       // OpenSSL's name of the cipher suite
  bool client_certificate_asked = false;  // the listener does mutual TLS
  // Present when the client sent a certificate that verified.
  std::optional<ClientCertificate> client_certificate;
};

}  // namespace gatehouse::core
