#include "cli/route_table.h"

#include <fmt/format.h>

#include <vector>

namespace gatehouse::cli {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string integration_of(const config::Integration& i) {
  switch (i.type) {
    case config::IntegrationType::kMock:
      return fmt::format("mock {}", i.mock.status);
    case config::IntegrationType::kCrud:
      return "crud " + i.crud.table + (i.crud.owner_only ? " (owner_only)" : "");
    case config::IntegrationType::kFunction:
      return "function " + i.function.function;
    case config::IntegrationType::kHttpProxy:
      if (i.http_proxy.uri.starts_with("/")) {
        // With targets: each origin, then the path.
        std::string out = "http_proxy ";
        for (size_t k = 0; k < i.http_proxy.origins.size(); ++k)
          out += (k ? "|" : "") + i.http_proxy.origins[k];
        return out + " " + i.http_proxy.uri;
      }
      return "http_proxy " + i.http_proxy.uri;
  }
  return "?";
}

}  // namespace

std::string route_table(const config::Config& config) {
  std::string out = "routes:\n";
  out += fmt::format("  {:<24} {:<32} {:<20} {:<16} {}\n", "METHODS", "PATH", "AUTHORIZER",
                     "SCOPES", "INTEGRATION");
  size_t public_routes = 0;
  for (const auto& r : config.routes) {
    std::string auth = r.authorizer ? *r.authorizer : std::string("none (PUBLIC)");
    if (!r.authorizer) ++public_routes;
    out += fmt::format("  {:<24} {:<32} {:<20} {:<16} {}\n", join(r.methods, ","), r.path, auth,
                       r.scopes.empty() ? std::string("-") : join(r.scopes, " | "),
                       integration_of(r.integration));
  }
  out += fmt::format("\n{} routes, {} public\n", config.routes.size(), public_routes);
  return out;
}

}  // namespace gatehouse::cli
