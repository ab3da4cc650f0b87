// The gateway's one YAML file, parsed into typed, immutable structs (docs/configuration.md is the
// user-facing reference for every key).
//
// Rules: defaults live in the structs below, each with its trade-off; there is one parse function
// per struct (one file per section, config/parse_*.cc, on the reading kit of
// config/detail/yaml_reader.h); unknown keys, wrong types, out-of-range numbers and missing
// required keys are errors; every error reads
//   "<file>:<line>:<col>: <key.path>: <what is wrong>; <what is expected>"
// with 1-based positions, e.g.
//   "gatehouse.yaml:12:13: routes[2].integration.type: unknown value 'mok'; expected one of: mock,
//   crud, function".
// Cross-references are checked while parsing, whatever the order of sections in the file:
// api.default_authorizer and each route's `auth` name an authorizer; scopes only on routes with a
// jwt authorizer; a token/request authorizer's `function` and a function integration's `function`
// name a function; `stageVariables.<name>` identity sources name a defined stage variable;
// `{issuer: ...}` environment values need the issuer: section; HS* algorithms if and only if
// keys.hmac_secret; listen addresses parse; admin.listen differs from api.listen.
//
// Config does not know path templates: the gateway compiles them with router::compile() and reports
// template errors at Route::path_pos. Areas never see this header's YAML side; the gateway maps
// Config into each area's plain Options.
//
// Usage:
//   auto cfg = config::load("gatehouse.yaml");
//   if (!cfg) { std::cerr << cfg.error().message() << "\n"; return 2; }
//   std::shared_ptr<const config::Config> snapshot = *cfg;  // immutable: share it freely
//
// Thread safety: a loaded Config is immutable and shared as shared_ptr<const Config>; load() and
// parse() share no state and may run concurrently. resolve_secret() and resolve_env_value() read
// the environment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/defaults.h"
#include "core/gateway_response_types.h"
#include "core/status.h"

namespace gatehouse::config {

// Where something was written, so errors found after loading (route templates, key files, secrets)
// can name it.
struct SourcePos {
  std::string file;  // the config file name as given to load() or parse()
  int line = 0;      // 1-based
  int column = 0;    // 1-based
  // "<file>:<line>:<col>"
  std::string to_string() const;
  // Always true: a position says where a definition was written, not what it is. A reload keeps
  // what did not change even when lines moved around it (definitions compare with ==).
  bool operator==(const SourcePos&) const { return true; }
};

// A host and port to listen on.
struct ListenAddress {
  std::string host;   // an IP literal; IPv6 without brackets ("::1")
  uint16_t port = 0;  // 0 = an ephemeral port chosen by the OS (tests)
  bool is_ipv6() const { return host.find(':') != std::string::npos; }
  // "127.0.0.1:8080" or "[::1]:8080"
  std::string to_string() const;
  bool operator==(const ListenAddress&) const = default;
};

// Request limits and timeouts of the API listener (api.limits).
struct Limits {
  // 8192: longer request lines get 414. API Gateway's own URL limit is about 8 KB (10 KB with
  // headers); larger values let longer URLs through at the cost of memory per connection.
  uint64_t max_request_line_bytes = core::defaults::kMaxRequestLineBytes;
  // 16384: a larger header block gets 431. JWTs with many claims need room; each connection may
  // hold this much while its head arrives.
  uint64_t max_header_bytes = core::defaults::kMaxHeaderBytes;
  // 10485760 (10 MiB, API Gateway's payload limit): larger bodies get 413. Bodies are buffered,
  // so this bounds memory per request.
  uint64_t max_body_bytes = core::defaults::kMaxBodyBytes;
  // 10000: the whole request head must arrive within this, against slowloris clients; too short
  // cuts off slow mobile links.
  uint32_t header_timeout_ms = core::defaults::kHeaderTimeoutMs;
  // 30000: the body must arrive within this once the head is in.
  uint32_t body_timeout_ms = core::defaults::kBodyTimeoutMs;
  // 60000: a keep-alive connection with no request in flight is closed after this; longer keeps
  // more idle sockets open.
  uint32_t idle_timeout_ms = core::defaults::kIdleTimeoutMs;
  // 16: requests read ahead on one connection while earlier ones are in flight; bounds memory per
  // connection.
  uint32_t max_pipelined_requests = core::defaults::kMaxPipelinedRequests;
  // 10000: connections beyond this wait in the kernel's accept queue; each costs a socket and
  // buffers.
  uint32_t max_connections = core::defaults::kMaxConnections;
  bool operator==(const Limits&) const = default;
};

// Cross-origin requests from browsers (api.cors), configured as API Gateway's HTTP APIs do: the
// gateway answers preflight requests itself, before routing and authorization, and adds the
// headers below to every answer to an allowed origin (gateway responses included), in place of
// any an integration set.
struct Cors {
  // Required, not empty: "https://app.example.com" (scheme, host, optional port; stored
  // lower-case), "*" (any origin), "https://*" or "http://*" (any origin of that scheme).
  std::vector<std::string> allow_origins;
  // Access-Control-Allow-Methods: upper-case methods, or "*" (the requested method is echoed).
  std::vector<std::string> allow_methods;
  // Access-Control-Allow-Headers: lower-case names, or "*" (the requested ones are echoed:
  // browsers never let "*" cover Authorization).
  std::vector<std::string> allow_headers;
  // Access-Control-Expose-Headers: lower-case names, or "*".
  std::vector<std::string> expose_headers;
  // Access-Control-Allow-Credentials: true. Not with allow_origins "*" (browsers refuse it) nor
  // "https://*" / "http://*" (every site of the scheme could make credentialed calls).
  bool allow_credentials = false;
  // Access-Control-Max-Age in seconds (0–86400); unset sends none (browsers use 5 s).
  std::optional<uint32_t> max_age_s;
  SourcePos pos;  // the cors: map
  bool operator==(const Cors&) const = default;
};

// Throttling as API Gateway's route throttling: a token bucket per route and method on each
// gatehouse instance, `burst` requests at once refilled at `rate` per second; past it, 429
// THROTTLED. Checked before authorization, so a flood costs no authorizer work.
struct Throttle {
  double rate = 0;     // requests per second, steady: 0..1000000, decimals allowed (0.5)
  uint32_t burst = 0;  // requests at once: 0..1000000 (0 refuses every request)
  bool operator==(const Throttle&) const = default;
};

// Where a route that requires an API key takes it from (api.api_key_source), as API Gateway's
// apiKeySource: the x-api-key header, or the Lambda authorizer's usageIdentifierKey.
enum class ApiKeySource { kHeader, kAuthorizer };

// A certificate a TLS listener presents (api.tls.certificates[]).
struct TlsCertificate {
  // PEM: the certificate, then the intermediates that chain it to a CA clients trust. Absolute,
  // or relative to the config file's directory.
  std::string certificate;
  std::string key;  // its private key, PEM, unencrypted
  SourcePos pos;
  bool operator==(const TlsCertificate&) const = default;
};

// Client certificates (api.tls.mutual_tls), as API Gateway's mutual TLS: a client must present a
// certificate issued by a CA of the truststore; the events carry it at
// requestContext.identity.clientCert.
struct MutualTls {
  std::string truststore;  // PEM CA certificates (path as for certificates)
  // true: a client without a certificate fails the handshake (API Gateway). false: it may go
  // without one, and its requests carry clientCert null.
  bool required = true;
  bool operator==(const MutualTls&) const = default;
};

enum class TlsMinVersion { kTls12, kTls13 };

// TLS on the API listener (api.tls). The files are read at start and again at every reload.
struct ListenerTls {
  // At least one. The first is presented to clients that name no host (SNI) or one no certificate
  // is for; each other one to clients naming one of its DNS names (exact or wildcard).
  std::vector<TlsCertificate> certificates;
  TlsMinVersion min_version = TlsMinVersion::kTls12;  // "1.2" (1.2 and 1.3) or "1.3"
  // TLS 1.2 cipher list in OpenSSL's syntax; none: ECDHE with AES-GCM or ChaCha20-Poly1305.
  std::optional<std::string> ciphers;
  std::optional<MutualTls> mutual_tls;
  SourcePos pos;  // the tls: map
  bool operator==(const ListenerTls&) const = default;
};

// The API itself (api:).
struct Api {
  std::string name;  // required; shown in logs and metrics
  // "prod": the stage in method ARNs and events; [A-Za-z0-9_]+.
  std::string stage = "prod";
  // 127.0.0.1:8080: loopback only by default; use 0.0.0.0 to serve other machines.
  ListenAddress listen{"127.0.0.1", 8080};
  // "us-east-1": only used in method ARNs; policies written for AWS keep matching.
  std::string region = core::defaults::kRegion;
  // "123456789012": the account id in method ARNs; 12 digits.
  std::string account_id = core::defaults::kAccountId;
  // "gatehouse": the REST API id in method ARNs and events; [a-z0-9]+.
  std::string api_id = "gatehouse";
  // 0 = one I/O thread per core; set lower to leave cores to function workers.
  uint32_t io_threads = 0;
  // Unset: every route must name its authorizer or say `auth: none` (fail closed).
  std::optional<std::string> default_authorizer;
  // 10000: on SIGTERM, in-flight requests get this long before the process stops anyway.
  uint32_t shutdown_grace_ms = 10000;
  Limits limits;
  // None: request bodies go to functions as text, base64 only when they are not valid UTF-8.
  // Content types listed here ("image/png", "image/*", "*/*") are always sent base64-encoded with
  // isBase64Encoded: true (API Gateway's binaryMediaTypes). Each is type/subtype, '*' only as a
  // whole part; stored lower-case (media types compare case-insensitively), no repeats.
  std::vector<std::string> binary_media_types;
  // None: the stage's variables (stageVariables in events; `stageVariables.X` identity sources).
  // In file order; names [A-Za-z0-9_]+, values strings (YAML numbers and booleans as written).
  std::vector<std::pair<std::string, std::string>> stage_variables;
  // None: no CORS; a browser's preflight OPTIONS is routed like any request.
  std::optional<Cors> cors;
  // None: no throttling. The default of every route (each route and method its own bucket).
  std::optional<Throttle> throttle;
  // header: routes with api_key_required read x-api-key.
  ApiKeySource api_key_source = ApiKeySource::kHeader;
  SourcePos pos;  // the api: map
  // None: plain HTTP. Turning it on or off needs a restart; its files are read again at a reload.
  std::optional<ListenerTls> tls;
};

// JWT signature algorithms we accept (never "none").
enum class JwtAlg {
  kRS256,
  kRS384,
  kRS512,
  kPS256,
  kPS384,
  kPS512,
  kES256,
  kES384,
  kEdDSA,
  kHS256,
  kHS384,
  kHS512,
};
// "RS256", ...: the JOSE name.
std::string_view to_string(JwtAlg alg);
// HS256/HS384/HS512: verified with a shared secret rather than a public key.
bool is_hmac(JwtAlg alg);

// Where a secret lives. A secret is never written in the config file itself.
struct SecretRef {
  enum class Kind { kEnv, kFile };
  Kind kind = Kind::kEnv;
  // kEnv: the environment variable's name. kFile: the file's absolute path (a relative path in
  // the config resolves against the config file's directory).
  std::string name_or_path;
  bool operator==(const SecretRef&) const = default;
};

// The secret's value. kEnv: the variable's value. kFile: the file's contents without trailing
// "\n"/"\r\n". Errors: kNotFound (variable unset, file missing), kPermissionDenied (the file's mode
// grants any access to group or others, i.e. looser than 0600; or this process may not read it),
// kIoError (not a regular file, read error), kResourceExhausted (file over 64 KiB),
// kInvalidArgument (empty secret). Messages name the variable or file, never the secret's value.
core::Result<std::string> resolve_secret(const SecretRef& ref);

// Where the token is taken from (API Gateway's identitySource). jwt and token authorizers use
// one header or query parameter; request authorizers may also name stage variables and context
// values.
struct IdentitySource {
  enum class Kind { kHeader, kQueryString, kStageVariable, kContext };
  Kind kind = Kind::kHeader;
  // Header name (any case), query string parameter name, stage variable name, or the context path
  // after "context." ("httpMethod", "resourcePath", "identity.sourceIp", ...; the supported set is
  // core/context_vars.h's identity sources).
  std::string name = "Authorization";
  // "method.request.header.Authorization", "method.request.querystring.token",
  // "stageVariables.name", "context.httpMethod"
  std::string to_string() const;
  bool operator==(const IdentitySource&) const = default;
};

// Where a JWT authorizer's verification keys come from (authorizers.<name>.keys).
struct JwtKeys {
  // kIssuer: the embedded issuer's own keys (`issuer: self`), handed over in process, rotations
  // included; no copying of keys.
  enum class Source { kJwksFile, kJwksUrl, kDiscoveryUrl, kPemFile, kHmacSecret, kIssuer };
  Source source = Source::kJwksFile;
  // kJwksFile/kPemFile: absolute path. kJwksUrl/kDiscoveryUrl: the http(s) URL. kHmacSecret,
  // kIssuer: empty.
  std::string location;
  SecretRef hmac_secret;  // kHmacSecret only
  // URL sources only:
  // 3600: a successful fetch is refreshed this often; shorter picks up rotated keys sooner at the
  // cost of more requests to the issuer.
  uint32_t refresh_interval_s = core::defaults::kJwksRefreshIntervalS;
  // 30: after a failed fetch, retry this soon (the last good keys stay in use meanwhile).
  uint32_t retry_interval_s = core::defaults::kJwksRetryIntervalS;
  // 30: a token with an unknown `kid` triggers a refetch at most this often, so forged kids cannot
  // make us hammer the issuer.
  uint32_t refetch_min_interval_s = core::defaults::kJwksRefetchMinIntervalS;
  // 1500: one fetch (connect to last byte) may take this long.
  uint32_t fetch_timeout_ms = core::defaults::kJwksFetchTimeoutMs;
  // 150000: larger JWKS documents are refused (URL sources and jwks_file).
  uint64_t max_jwks_bytes = core::defaults::kMaxJwksBytes;
  bool operator==(const JwtKeys&) const = default;
};

// Settings of a `type: jwt` authorizer.
struct JwtSettings {
  // Compared exactly with the token's `iss`. Required, except with `keys: {issuer: self}`, where it
  // defaults to (and must equal) issuer.issuer_url.
  std::string issuer;
  std::vector<std::string> audiences;  // required, non-empty; the token's `aud` must contain one
  // [RS256]: the allow-list; a token's `alg` outside it is rejected before any key is looked up.
  std::vector<JwtAlg> algorithms{JwtAlg::kRS256};
  // 30: clock skew tolerated for exp/nbf/iat, 0..300; larger accepts expired tokens for longer.
  uint32_t leeway_s = core::defaults::kJwtLeewayS;
  // 8192: longer tokens are rejected before decoding.
  uint32_t max_token_bytes = core::defaults::kMaxTokenBytes;
  JwtKeys keys;
  bool operator==(const JwtSettings&) const = default;
};

// jwt: the built-in JWT authorizer. token / request: a Lambda authorizer function (functions:)
// invoked with API Gateway's TOKEN or REQUEST event.
enum class AuthorizerType { kJwt, kToken, kRequest };

// How a function authorizer's decisions are cached.
enum class CacheScope {
  // API Gateway's behaviour: one entry per identity value; the cached policy is re-evaluated
  // against every later request's method ARN, so a policy naming only the first method denies the
  // others until the entry expires.
  kIdentity,
  // One entry per identity value and method ARN: for authorizers whose policy only names
  // event.methodArn. Costs one authorizer call per distinct method ARN and token.
  kMethod,
};

// Settings of a `type: token` or `type: request` authorizer.
struct FunctionAuthorizerSettings {
  std::string function;  // required: a name under functions:
  // token only. Empty: none. Otherwise the whole token must match this ECMAScript regex before
  // the function is invoked; a mismatch is 401 without invoking it. Checked to compile (with
  // boost::regex, ECMAScript syntax) while parsing.
  std::string validation_regex;
  // kIdentity (API Gateway's behaviour); see CacheScope for the trade-off.
  CacheScope cache_scope = CacheScope::kIdentity;
  bool operator==(const FunctionAuthorizerSettings&) const = default;
};

// One entry of `authorizers:`.
struct Authorizer {
  std::string name;  // the map key; routes refer to it
  AuthorizerType type = AuthorizerType::kJwt;
  // jwt, token: method.request.header.Authorization: where the token comes from (token: a header).
  // request: unused (left at the default); see identity_sources.
  IdentitySource identity_source;
  // request only: every source must be present and non-empty, otherwise 401 without invoking.
  // Written like API Gateway's identitySource: a comma-separated string or a list; no repeats
  // (header names compare case-insensitively), no path parameters. Required when the cache is on
  // (cache_ttl_s > 0), optional otherwise. Empty for jwt and token.
  std::vector<IdentitySource> identity_sources;
  // 300: decisions are cached this long per identity value, 0..3600 (API Gateway's default and
  // maximum); 0 turns the cache off. Longer means fewer verifications but revocation lags.
  uint32_t cache_ttl_s = core::defaults::kAuthorizerCacheTtlS;
  // 10000: the decision cache holds at most this many entries.
  uint32_t cache_max_entries = core::defaults::kAuthorizerCacheMaxEntries;
  JwtSettings jwt;                      // type == kJwt
  FunctionAuthorizerSettings function;  // type == kToken, kRequest
  SourcePos pos;                        // the authorizer's map (its value under its name)
  bool operator==(const Authorizer&) const = default;
};

struct Header {
  std::string name;
  std::string value;
};

enum class IntegrationType { kMock, kCrud, kFunction, kHttpProxy };

// `integration:` with `type: mock`: a fixed response.
struct MockIntegration {
  int status = 200;             // 200; 100..599
  std::vector<Header> headers;  // none; in file order
  std::string body;             // empty; may use $context.* variables (gateway renders them)
};

// `integration:` with `type: crud`: the built-in CRUD service over a table. A route without path
// parameters is the collection (GET lists, POST creates); a route whose last segment is a
// parameter ({id}) is one item (GET, PUT, DELETE), the parameter being the item's key.
struct CrudIntegration {
  std::string table;  // required; a name under tables:
  // false: any authorized caller may read and change every item. true: callers see only the items
  // they created (createdBy == their principal); others' items answer 404.
  bool owner_only = false;
  // 100: items per page when the request gives no ?limit= (1..1000).
  uint32_t default_limit = core::defaults::kCrudPageLimit;
};

// `integration:` with `type: function`: a Lambda proxy integration (payload format 1.0).
struct FunctionIntegration {
  std::string function;  // required: a name under functions:
  // 29000 (API Gateway's default), 50..900000: past this the client gets 504 INTEGRATION_TIMEOUT
  // even if the function is still running (its own timeout still applies to it).
  uint32_t timeout_ms = core::defaults::kIntegrationTimeoutMs;
};

// One request parameter mapping of an http_proxy integration (request_parameters), as API Gateway
// writes it: `integration.request.<header|querystring|path>.<name>: <source>`.
struct ParameterMapping {
  enum class Target { kHeader, kQueryString, kPath };
  enum class Source {
    kStatic,         // 'text' (single-quoted)
    kHeader,         // method.request.header.<name>: the client's header
    kQueryString,    // method.request.querystring.<name>: the client's query parameter
    kPath,           // method.request.path.<name>: the route's path parameter
    kContext,        // context.<name>: a $context variable (core/context_vars.h), e.g.
                     // context.authorizer.principalId, context.authorizer.claims.scope
    kStageVariable,  // stageVariables.<name>
  };
  Target target = Target::kHeader;
  std::string name;  // the header, query parameter or {placeholder} it sets
  Source source = Source::kStatic;
  std::string value;  // kStatic: the text; else the source's name (kContext: "authorizer.x")
  SourcePos pos;
};

// How an http_proxy integration reaches an https:// service (integration.tls).
struct UpstreamTls {
  std::string ca_file;  // a PEM file of the CAs to trust instead of the system's; absolute
  // A client certificate (PEM, chain after it) and its key, for a service that asks for one
  // (mutual TLS): both or neither; absolute.
  std::string client_certificate;
  std::string client_key;
  std::string server_name;  // SNI and the certificate's name; empty: the uri's host
  bool operator==(const UpstreamTls&) const = default;
};

// type: http_proxy: the request goes to an HTTP service as API Gateway's HTTP_PROXY sends it.
struct HttpProxyIntegration {
  // Required: http(s)://host[:port]/path[?query], as written; with `targets`, /path[?query].
  // `{name}` in the path or query takes the route's path parameter `name` ({proxy} for a greedy
  // {proxy+}), as received, unless a path mapping sets it; `${stageVariables.name}` is replaced by
  // the stage variable's value (in targets too).
  std::string uri;
  // Derived once (core/endpoint_uri.h): where connections go, "http://host:port" each (the uri's
  // origin, or the `targets` in file order, 1..64 of them, no repeats), and the target template,
  // "/path?query" with its {placeholders}.
  std::vector<std::string> origins;
  std::string target;
  // 10000, 100..600000, with targets only: a target a connection could not be opened to is
  // skipped for this long (passive health).
  uint32_t cool_down_ms = 10'000;
  // 29000 (API Gateway's limit), 50..29000: no complete answer within it is 504 Endpoint request
  // timed out.
  uint32_t timeout_ms = core::defaults::kIntegrationTimeoutMs;
  std::vector<ParameterMapping> request_parameters;  // in file order
  std::optional<UpstreamTls> tls;                    // https:// only
  // 64, 1..10000: connections to the service per I/O thread; requests beyond wait (up to 1024).
  uint32_t max_connections = 64;
  // 30000, 1000..3600000: an idle kept-alive connection is closed after this.
  uint32_t idle_timeout_ms = 30'000;
};

struct Integration {
  IntegrationType type = IntegrationType::kMock;
  MockIntegration mock;             // type == kMock
  CrudIntegration crud;             // type == kCrud
  FunctionIntegration function;     // type == kFunction
  HttpProxyIntegration http_proxy;  // type == kHttpProxy
  SourcePos pos;                    // the integration: map
};

// One entry of `routes:`.
struct Route {
  std::string path;  // the path template, unchecked here: router::compile() checks it
  // Upper-case method names as written ("GET", "PUT", or just "ANY"); non-empty, no repeats, ANY
  // alone.
  std::vector<std::string> methods;
  // Resolved: the authorizer's name, or nullopt for a public route (`auth: none`). An absent `auth`
  // becomes api.default_authorizer.
  std::optional<std::string> authorizer;
  // Empty: any valid token will do. Otherwise the token needs at least one of these scopes.
  std::vector<std::string> scopes;
  Integration integration;
  // Resolved: the route's own `throttle`, else api.throttle; none: not throttled.
  std::optional<Throttle> throttle;
  // A request needs an API key of a usage plan (usage_plans); false by default.
  bool api_key_required = false;
  SourcePos pos;       // the route's map in the list
  SourcePos path_pos;  // its `path:` value: where template errors point
};

// An API key (usage_plans.<plan>.api_keys.<name>): it belongs to its plan alone.
struct ApiKey {
  std::string name;  // [A-Za-z0-9_-]+, unique across plans: what logs and metrics show
  SecretRef value;   // what clients send; resolved when the gateway is built: 20+ characters
  bool operator==(const ApiKey&) const = default;
};

// A usage plan (usage_plans.<name>): what each of its keys may do, per gatehouse instance.
struct UsagePlan {
  enum class Period { kDay, kWeek, kMonth };  // UTC; a week from Monday 00:00
  struct Quota {
    uint64_t limit = 0;  // requests per period and key: 1..1000000000
    Period period = Period::kDay;
    bool operator==(const Quota&) const = default;
  };
  std::string name;
  std::optional<Throttle> throttle;  // per key
  std::optional<Quota> quota;        // per key
  std::vector<ApiKey> api_keys;      // at least one
  SourcePos pos;
  bool operator==(const UsagePlan&) const = default;
};

// API Gateway's gateway response types; those gatehouse produces may be overridden, under the
// names API Gateway gives them ("ACCESS_DENIED", ...) as YAML keys.
using GatewayResponseType = core::GatewayResponseType;

// One entry of `gateway_responses:`: overrides for a response type; unset fields keep the default.
struct GatewayResponse {
  GatewayResponseType type = GatewayResponseType::kDefault4xx;
  std::optional<int> status;        // 100..599
  std::vector<Header> headers;      // added to the response, in file order
  std::optional<std::string> body;  // a template with $context.* variables
  SourcePos pos;
};

struct Admin {
  // 127.0.0.1:9090 (/healthz, /readyz, /metrics): loopback so metrics are not public by default;
  // nullopt when `listen: off`.
  std::optional<ListenAddress> listen = ListenAddress{"127.0.0.1", 9090};
  bool operator==(const Admin&) const = default;
};

struct AccessLog {
  enum class Kind { kStdout, kFile, kOff };
  Kind kind = Kind::kStdout;  // "-": one JSON line per request on stdout
  std::string path;           // kFile: absolute path
  bool operator==(const AccessLog&) const = default;
};

// One client of the embedded issuer (issuer.clients.<id>).
struct IssuerClient {
  std::string id;                      // the map key: client_id
  SecretRef secret;                    // required: client_secret, from an env var or a 0600 file
  std::vector<std::string> audiences;  // required, non-empty: audiences it may request
  std::vector<std::string> scopes;     // none: grantable scopes; no scope requested = all of them
  // 86400 (Auth0's default): expires_in of its tokens, 60..2592000.
  uint32_t token_lifetime_s = core::defaults::kTokenLifetimeS;
  // [client_credentials]; [] disables the client (unauthorized_client).
  std::vector<std::string> grant_types{"client_credentials"};
  SourcePos pos;
  bool operator==(const IssuerClient&) const = default;
};

// The embedded OAuth2 token issuer (issuer:), standing in for Auth0.
struct Issuer {
  // Required: the `iss` of its tokens, e.g. https://blog.example/ (Auth0 style: trailing slash).
  std::string issuer_url;
  // Where clients reach the endpoints (discovery's jwks_uri and token_endpoint). Unset: the API
  // listener's address, http://<api.listen>.
  std::optional<std::string> public_url;
  // <data_dir>/issuer-keys: signing keys (directory 0700, key files 0600).
  std::string key_dir;
  // RS256: the signing algorithm of new keys; RS256, ES256 or EdDSA.
  JwtAlg algorithm = JwtAlg::kRS256;
  // 86400: after `gatehouse keys rotate`, the previous key stays in the JWKS this long, so tokens
  // it signed keep verifying until they expire.
  uint32_t rotation_grace_s = core::defaults::kKeyRotationGraceS;
  std::vector<IssuerClient> clients;  // required, at least one
  // Failed client authentications per client id / per peer address per window before 429.
  uint32_t max_failures_per_client = core::defaults::kMaxFailuresPerClient;
  uint32_t max_failures_per_peer = core::defaults::kMaxFailuresPerPeer;
  uint32_t rate_limit_window_s = core::defaults::kRateLimitWindowS;
  SourcePos pos;
  bool operator==(const Issuer&) const = default;
};

// A key attribute of a table or index: its name and DynamoDB type ('S', 'N' or 'B').
struct KeyAttribute {
  std::string name;
  char type = 'S';
  bool operator==(const KeyAttribute&) const = default;
};

// A secondary index of a table (tables.<name>.indexes.<index>).
struct TableIndex {
  std::string name;               // the map key; 3..255 of [A-Za-z0-9_.-]
  std::vector<KeyAttribute> key;  // the hash key, then the range key if any
  bool local = false;             // a local index: same hash key as the table, a range key
  enum class Projection { kAll, kKeysOnly, kInclude };
  Projection projection = Projection::kAll;
  std::vector<std::string> include;  // kInclude: the attributes projected besides the keys
  SourcePos pos;
  bool operator==(const TableIndex&) const = default;
};

// An AWS access key and its secret, as config gives them (dynamodb.credentials,
// tables.<name>.credentials).
struct AwsCredentials {
  std::string access_key_id;  // 1..128 printable characters without '/'
  SecretRef secret_access_key;
  bool operator==(const AwsCredentials&) const = default;
};

// Where a remote table lives (tables.<name> with backend: dynamodb): a DynamoDB endpoint (AWS,
// ScyllaDB Alternator, another gatehouse's dynamodb listener).
struct RemoteTable {
  std::string table;     // the remote table's name; default: the map key
  std::string region;    // required: it scopes the signature
  std::string endpoint;  // an http(s) origin; default https://dynamodb.<region>.amazonaws.com
  // Default: the AWS chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then the shared
  // credentials and config files for AWS_PROFILE).
  std::optional<AwsCredentials> credentials;
  bool create = false;  // create the table at start when missing; else a missing table stops it
  uint32_t timeout_ms = 5'000;  // one operation, retries included: past it, 504
  bool operator==(const RemoteTable&) const = default;
};

// One table (tables.<name>): a table of the embedded DynamoDB store, created at start when
// missing (as a deployment creates it), for crud integrations and for functions; or, with
// backend: dynamodb, a table on a remote DynamoDB.
struct Table {
  std::string name;  // the map key; [A-Za-z_][A-Za-z0-9_]*
  // key: a name ("id" by default), or {<hash>: S|N|B} with an optional second entry for the
  // range key. Crud routes need a table keyed by one string attribute.
  std::vector<KeyAttribute> key = {KeyAttribute{"id", 'S'}};
  std::string key_attribute = "id";  // key[0].name
  std::vector<TableIndex> indexes;   // in file order
  // <data_dir>/<name>.db: where an earlier gatehouse kept this table's items, moved into the
  // store on the first start.
  std::string sqlite_path;
  // 65536: a larger item (its JSON) is refused with 413; at most 409600 (DynamoDB's item limit).
  uint64_t max_item_bytes = core::defaults::kMaxItemBytes;
  std::optional<RemoteTable> remote;  // backend: dynamodb
  SourcePos pos;

  // Keyed by one string attribute and nothing else: what the crud integration serves.
  bool crud_capable() const { return key.size() == 1 && key[0].type == 'S'; }
  bool operator==(const Table&) const = default;
};

// A value of a function's environment variable (functions.<name>.environment.<VAR>).
struct EnvValue {
  enum class Kind {
    kLiteral,  // a YAML string, number or boolean, as written
    kEnv,      // {env: NAME}: gatehouse's own variable NAME, read when workers start (must be set)
    kFile,     // {file: path}: the file's contents, read when workers start (relative paths resolve
               // against the config file's directory)
    kIssuerCertificate,  // {issuer: certificate}: the embedded issuer's current signing
                         // certificate, PEM (what Auth0 serves at /pem)
    kIssuerPublicKey,    // {issuer: public_key}: its public key, PEM (SPKI)
    kTable,  // {table: name}: the table's name where the function's SDK finds it (a remote
             // table's own name); the function's SDK is pointed at where the table lives
  };
  Kind kind = Kind::kLiteral;
  // kLiteral: the text; kEnv: the name; kFile: the absolute path; kTable: the name under tables:;
  // kIssuer*: empty. Values may be secrets: never log them.
  std::string value;
};

// The text of a kLiteral, kEnv or kFile value (kIssuer* and kTable values are the gateway's to
// supply: the embedded issuer's keys, where a table is found). kEnv: the variable's value, which
// must be set (it may be empty). kFile: the whole file, at most 1 MiB, whatever its mode (it need
// not be a secret). Errors name the variable or the file, never the value.
core::Result<std::string> resolve_env_value(const EnvValue& value);

// How a function's workers are run.
enum class WorkerStart {
  kEager,  // all `concurrency` workers start with the gateway (cold starts happen before traffic)
  kLazy,   // a worker starts when an invocation finds none idle, up to `concurrency`
};

// One entry of `functions:`: a Lambda function run as a pool of long-lived worker processes, each
// speaking the AWS Lambda Runtime API to its own endpoint. Workers do not inherit gatehouse's
// environment except PATH, HOME, LANG and TZ, so gatehouse's own secrets (issuer client secrets,
// HMAC keys) never reach a function unless `environment` passes them on purpose.
struct Function {
  std::string name;  // the map key; [A-Za-z0-9_-]{1,64}, as Lambda function names
  // Exactly one of runtime and command. runtime "node": gatehouse's Node.js bootstrap
  // (runtimes/node), which runs `module.exports.handler`-style files with `handler:`.
  std::string runtime;
  // The worker's argv, run with the working directory below: a YAML list of non-empty strings as
  // is; a YAML string s becomes {"/bin/sh", "-c", s}.
  std::vector<std::string> command;
  // _HANDLER, e.g. "index.handler": required with runtime: node (<file>.<export>); optional and
  // passed as is with command (the runtime client reads it, e.g. `npx aws-lambda-ric` or a custom
  // bootstrap).
  std::string handler;
  // The config file's directory: the workers' working directory and LAMBDA_TASK_ROOT. Absolute
  // (relative paths resolve against the config file's directory); whether it exists is checked
  // when the workers start, not while parsing.
  std::string working_dir;
  // Extra variables in file order. Names [A-Za-z][A-Za-z0-9_]*; the reserved AWS_LAMBDA_*,
  // _HANDLER, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR and AWS_LAMBDA_RUNTIME_API cannot be set.
  std::vector<std::pair<std::string, EnvValue>> environment;
  // 0 = one per core this process may run on (its CPU affinity), at most 256: the most invocations
  // running at once, one worker process each. More workers serve more concurrent requests at the
  // cost of memory (a Node worker is ~40 MB).
  uint32_t concurrency = 0;
  // 3 (Lambda's default), 1..900: an invocation running longer fails and its worker is stopped.
  uint32_t timeout_s = core::defaults::kFunctionTimeoutS;
  // 128, 128..10240: AWS_LAMBDA_FUNCTION_MEMORY_SIZE and context.memoryLimitInMB; a label, not a
  // limit.
  uint32_t memory_mb = core::defaults::kFunctionMemoryMb;
  // kEager: cold starts happen before traffic, at the cost of idle processes; kLazy saves memory
  // for rarely used functions and pays the cold start on a request.
  WorkerStart start = WorkerStart::kEager;
  // 1000, 1..100000: invocations waiting for a worker beyond this are refused with 429 THROTTLED;
  // larger queues absorb bursts at the price of latency.
  uint32_t max_queue = core::defaults::kFunctionMaxQueue;
  SourcePos pos;
};

// dynamodb: DynamoDB's API (JSON 1.0 over HTTP) on the embedded store, for functions, SDKs and
// the AWS CLI. Absent: no listener and no store file.
struct DynamoDb {
  // 127.0.0.1:8000, DynamoDB Local's port; must not collide with api.listen or admin.listen.
  ListenAddress listen = ListenAddress{"127.0.0.1", 8000};
  // <data_dir>/dynamodb.db: the SQLite file holding every table (created, mode 0600).
  std::string file;
  // Without credentials, requests signed by any key are served (as DynamoDB Local does). With
  // them, every request must be signed by this access key id and its secret.
  using Credentials = AwsCredentials;
  std::optional<Credentials> credentials;
  SourcePos pos;
  bool operator==(const DynamoDb&) const = default;
};

// The whole file.
struct Config {
  std::string file;  // as given to load() or parse()
  Api api;
  std::vector<Authorizer> authorizers;             // in file order
  std::vector<UsagePlan> usage_plans;              // in file order
  std::vector<Route> routes;                       // in file order; route_index = position here
  std::vector<GatewayResponse> gateway_responses;  // in file order, one per type at most
  Admin admin;
  AccessLog access_log;
  // data/ next to the config file: where the issuer's keys and the tables' files go by default.
  std::string data_dir;
  std::optional<Issuer> issuer;
  std::vector<Table> tables;        // in file order
  std::vector<Function> functions;  // in file order
  std::optional<DynamoDb> dynamodb;

  // The authorizer with this name, or nullptr.
  const Authorizer* find_authorizer(std::string_view name) const;
  // The table with this name, or nullptr.
  const Table* find_table(std::string_view name) const;
  // The function with this name, or nullptr.
  const Function* find_function(std::string_view name) const;
};

// The file of the embedded DynamoDB store: dynamodb.file, else <data_dir>/dynamodb.db (where the
// crud tables live without a dynamodb: section).
std::string store_file(const Config& config);
// Whether the embedded store is opened: for the dynamodb: listener or a table kept in it. An
// instance whose tables are all remote keeps no file of its own.
bool uses_embedded_store(const Config& config);

// Config files larger than this are refused before parsing.
inline constexpr size_t kMaxConfigBytes = 1 << 20;

// Reads and parses the file at `path`. Relative paths inside it resolve against its directory.
// Errors: those of core::read_file (kNotFound, kIoError, kResourceExhausted) and of parse().
// Never throws.
core::Result<std::shared_ptr<const Config>> load(const std::string& path);

// Parses YAML text as if read from file_name: error messages name file_name, and relative paths
// resolve against file_name's directory (the working directory if it has none). Errors:
// kInvalidArgument with the message format above (YAML syntax errors included). Never throws.
core::Result<std::shared_ptr<const Config>> parse(std::string_view yaml_text,
                                                  std::string_view file_name);

}  // namespace gatehouse::config
