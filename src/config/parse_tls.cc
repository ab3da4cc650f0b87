// api.tls: the listener's certificates, protocol floor, ciphers and mutual TLS. The files are only
// named here; gateway/build reads them (at start and at every reload), where OpenSSL says what is
// wrong with them.
#include <array>
#include <string>
#include <string_view>

#include "config/detail/sections.h"

namespace gatehouse::config::detail {
namespace {

core::Status parse_certificate(const Ctx& c, const Field& f, TlsCertificate* out) {
  auto m = MapReader::open(c, f, {"certificate", "key"});
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);
  const Field* cert = m->get("certificate");
  if (cert == nullptr) {
    return m->missing(c, "certificate",
                      "; expected a PEM file: the certificate, then its intermediates");
  }
  const Field* key = m->get("key");
  if (key == nullptr) return m->missing(c, "key", "; expected the certificate's PEM private key");
  GH_CONFIG_TRY(read_path(c, *cert, &out->certificate));
  GH_CONFIG_TRY(read_path(c, *key, &out->key));
  return {};
}

core::Status parse_mutual_tls(const Ctx& c, const Field& f, MutualTls* out) {
  auto m = MapReader::open(c, f, {"truststore", "required"});
  if (!m) return m.error();
  const Field* store = m->get("truststore");
  if (store == nullptr) {
    return m->missing(c, "truststore",
                      "; expected a PEM file of the CA certificates client certificates must "
                      "chain to");
  }
  GH_CONFIG_TRY(read_path(c, *store, &out->truststore));
  if (const Field* r = m->get("required")) GH_CONFIG_TRY(read_bool(c, *r, &out->required));
  return {};
}

}  // namespace

core::Status parse_listener_tls(const Ctx& c, const Field& f, ListenerTls* out) {
  auto m = MapReader::open(c, f, {"certificates", "min_version", "ciphers", "mutual_tls"});
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);
  const Field* certs = m->get("certificates");
  if (certs == nullptr) {
    return m->missing(c, "certificates",
                      "; expected a list of {certificate: cert.pem, key: key.pem}");
  }
  if (!certs->value.IsSequence() || certs->value.size() == 0) {
    return fail(
        c, *certs,
        "expected a list of one or more {certificate: cert.pem, key: key.pem}; got " +
            (certs->value.IsSequence() ? std::string("an empty list") : describe(certs->value)));
  }
  for (size_t i = 0; i < certs->value.size(); ++i) {
    GH_CONFIG_TRY(
        parse_certificate(c, item(*certs, i, certs->value[i]), &out->certificates.emplace_back()));
  }
  if (const Field* v = m->get("min_version")) {
    std::string text;
    GH_CONFIG_TRY(read_scalar(c, *v, &text));
    if (text == "1.2") {
      out->min_version = TlsMinVersion::kTls12;
    } else if (text == "1.3") {
      out->min_version = TlsMinVersion::kTls13;
    } else {
      return fail(c, *v,
                  quote(text) +
                      " is not a TLS version gatehouse serves; expected \"1.2\" (TLS 1.2 and 1.3) "
                      "or \"1.3\"");
    }
  }
  if (const Field* ciphers = m->get("ciphers")) {
    GH_CONFIG_TRY(read_nonempty_string(c, *ciphers, &out->ciphers.emplace()));
    if (has_control_char(*out->ciphers)) {
      return fail(c, *ciphers, "a cipher list cannot contain control characters");
    }
  }
  if (const Field* mtls = m->get("mutual_tls")) {
    GH_CONFIG_TRY(parse_mutual_tls(c, *mtls, &out->mutual_tls.emplace()));
  }
  return {};
}

}  // namespace gatehouse::config::detail
