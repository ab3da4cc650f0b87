// The section parsers of the config, declared to each other and to config.cc, which calls them in
// the order of their references (see parse_config): issuer and tables, functions, api,
// authorizers, routes, gateway responses, admin, access log. `parsed` is the Config as far as it
// has been read. Each parser fills *out and returns the first error, as yaml_reader.h writes it.
//
// Internal to config/.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/detail/yaml_reader.h"

namespace gatehouse::config::detail {

// In JwtAlg order.
inline constexpr std::array<std::string_view, 12> kAlgNames = {"RS256", "RS384", "RS512", "PS256",
                                                               "PS384", "PS512", "ES256", "ES384",
                                                               "EdDSA", "HS256", "HS384", "HS512"};
// In AuthorizerType order.
inline constexpr std::array<std::string_view, 3> kAuthorizerTypes = {"jwt", "token", "request"};
// The name a config may not give an authorizer: "none" marks public routes.
inline constexpr std::string_view kPublic = "none";

// parse_issuer.cc. Defaults that live under data_dir resolve against it.
core::Status parse_issuer(const Ctx& c, const Field& f, const std::string& data_dir, Issuer* out);
core::Status parse_tables(const Ctx& c, const Field& f, const std::string& data_dir,
                          std::vector<Table>* out);

// What a function's environment values may refer to: the issuer ({issuer: ...}), the tables
// ({table: ...}), and the region the functions' SDKs sign for (a remote table must be in it).
struct EnvReferences {
  const std::optional<Issuer>& issuer;
  const std::vector<Table>& tables;
  std::string_view region;
};

// parse_functions.cc.
core::Status parse_functions(const Ctx& c, const Field& f, const EnvReferences& refs,
                             std::vector<Function>* out);
// The function named by f's value, which must be defined under functions:.
core::Status read_function_ref(const Ctx& c, const Field& f, const std::vector<Function>& functions,
                               std::string* out);

// parse_usage_plans.cc: usage_plans (each plan's keys, throttle and quota).
core::Status parse_usage_plans(const Ctx& c, const Field& f, std::vector<UsagePlan>* out);
// parse_api.cc: a throttle map ({rate, burst}), for api.throttle and a route's throttle.
core::Status parse_throttle(const Ctx& c, const Field& f, Throttle* out);
// parse_tls.cc: api.tls, its paths resolved against the config file's directory (the files are
// read when the runtime is built).
core::Status parse_listener_tls(const Ctx& c, const Field& f, ListenerTls* out);
// parse_api.cc. default_authorizer is only checked against 'none' here (the authorizers come
// later); *default_authorizer receives its entry for check_default_authorizer().
core::Status parse_api(const Ctx& c, const Field& f, Api* out,
                       std::optional<Field>* default_authorizer);
// api.default_authorizer (its entry d) must name an authorizer.
core::Status check_default_authorizer(const Ctx& c, const Field& d, const Api& api,
                                      const std::vector<Authorizer>& authorizers);
core::Status parse_gateway_responses(const Ctx& c, const Field& f,
                                     std::vector<GatewayResponse>* out);
// The admin listener must not take the API's port.
core::Status parse_admin(const Ctx& c, const Field& f, const ListenAddress& api_listen, Admin* out);
// Without an admin: section (or its listen:), the default admin listener, whose collision with
// api.listen is reported at m under path.
core::Status check_default_admin(const Ctx& c, const YAML::Mark& m, const std::string& path,
                                 const Admin& admin, const ListenAddress& api_listen);
core::Status parse_access_log(const Ctx& c, const Field& f, AccessLog* out);
// Whether two listeners would want the same port (port 0 is always a fresh one).
bool listeners_collide(const ListenAddress& a, const ListenAddress& b);

// parse_dynamodb.cc. Its listener must not take the API's or the admin listener's port.
core::Status parse_dynamodb(const Ctx& c, const Field& f, const Config& parsed, DynamoDb* out);
// {access_key_id: ..., secret_access_key: {env: NAME} | {file: path}}.
core::Status read_aws_credentials(const Ctx& c, const Field& f, AwsCredentials* out);

// parse_authorizers.cc. `parsed` holds issuer, functions and api.
core::Status parse_authorizers(const Ctx& c, const Field& f, const Config& parsed,
                               std::vector<Authorizer>* out);

// parse_http_proxy.cc. `route_path`: the route's path template, whose {parameters} the uri's
// placeholders may take; `api`: its stage variables.
core::Status parse_http_proxy_integration(const Ctx& c, const MapReader& m,
                                          std::string_view route_path, const Api& api,
                                          HttpProxyIntegration* out);

// parse_routes.cc. `parsed` holds everything but gateway_responses, admin and access_log.
core::Status parse_routes(const Ctx& c, const Field& f, const Config& parsed,
                          std::vector<Route>* out);

}  // namespace gatehouse::config::detail
