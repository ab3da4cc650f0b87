#include "gateway/listener_tls.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "gateway/build_authorizers.h"

namespace gatehouse::gateway {

core::Result<std::shared_ptr<const http::TlsServerContext>> load_listener_tls(
    const config::ListenerTls& tls, int64_t now_s) {
  http::TlsServerOptions o;
  for (const config::TlsCertificate& c : tls.certificates) {
    o.certificates.push_back({c.certificate, c.key});
  }
  o.tls13_only = tls.min_version == config::TlsMinVersion::kTls13;
  o.ciphers = tls.ciphers.value_or("");
  if (tls.mutual_tls) {
    o.client_ca_file = tls.mutual_tls->truststore;
    o.client_certificate_required = tls.mutual_tls->required;
  }
  auto loaded = http::TlsServerContext::load(o);
  if (!loaded) {
    // The certificate at fault, when the message names one, points at its own entry.
    const std::string& why = loaded.error().message();
    for (size_t i = 0; i < tls.certificates.size(); ++i) {
      const config::TlsCertificate& c = tls.certificates[i];
      if (why.find(c.certificate) != std::string::npos || why.find(c.key) != std::string::npos) {
        return detail::config_error(c.pos, fmt::format("api.tls.certificates[{}]", i), why);
      }
    }
    return detail::config_error(tls.pos, "api.tls", why);
  }
  for (const http::TlsServerContext::CertificateInfo& c : (*loaded)->certificates()) {
    const int64_t days_left = (c.not_after_epoch_s - now_s) / 86400;
    const std::string names =
        c.names.empty() ? "no DNS name" : fmt::format("{}", fmt::join(c.names, ", "));
    if (c.not_after_epoch_s <= now_s) {
      spdlog::warn("api.tls: certificate {} ({}) has expired: clients will refuse it", c.file,
                   names);
    } else if (days_left < kExpiryWarningDays) {
      spdlog::warn("api.tls: certificate {} ({}) expires in {} days", c.file, names, days_left);
    } else {
      spdlog::info("api.tls: certificate {} ({}), {} days left", c.file, names, days_left);
    }
  }
  return loaded;
}

}  // namespace gatehouse::gateway
