// The TLS settings of gatehouse's outgoing connections, in one place: peers verified against the
// system CA store (SSL_CERT_FILE / SSL_CERT_DIR override it), TLS 1.2 and later.
#pragma once

#include <boost/asio/ssl/context.hpp>

namespace gatehouse::http::detail {

inline boost::asio::ssl::context client_tls_context() {
  namespace ssl = boost::asio::ssl;
  ssl::context tls(ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(ssl::verify_peer);
  tls.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                  ssl::context::no_tlsv1_1);
  return tls;
}

}  // namespace gatehouse::http::detail
