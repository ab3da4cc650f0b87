#include "issuer/token_request.h"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <array>

#include "core/base64.h"
#include "core/text.h"
#include "issuer/wipe.h"

namespace gatehouse::issuer {
namespace {

constexpr std::string_view kSupportedTypes =
    "application/x-www-form-urlencoded or application/json";

// The parameters we read. Index = Field.
enum Field { kGrantType, kClientId, kClientSecret, kAudience, kScope, kFieldCount };
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "grant_type", "client_id", "client_secret", "audience", "scope"};

std::optional<Field> field_of(std::string_view name) {
  for (size_t i = 0; i < kFieldNames.size(); ++i) {
    if (kFieldNames[i] == name) return static_cast<Field>(i);
  }
  return std::nullopt;
}

// Parameter values as read from the body; wiped on destruction (one of them is the secret).
struct Fields {
  std::array<std::optional<std::string>, kFieldCount> values;
  std::array<bool, kFieldCount> seen{};

  Fields() = default;
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;
  ~Fields() {
    for (auto& value : values) {
      if (value) wipe(*value);
    }
  }

  // Records one occurrence; false when the parameter was already there.
  bool set(Field field, std::string& value) {
    if (seen[field]) return false;
    seen[field] = true;
    // §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
    if (!value.empty()) values[field] = value;
    wipe(value);
    return true;
  }
};

OAuthError invalid_request(std::string description) {
  return {OAuthErrorCode::kInvalidRequest, std::move(description)};
}

OAuthError repeated(Field field) {
  return invalid_request("parameter '" + std::string(kFieldNames[field]) +
                         "' is repeated; send it once");
}

// --- Content-Type ------------------------------------------------------------------------------

enum class BodyKind { kForm, kJson };

core::Result<BodyKind, OAuthError> body_kind(std::string_view content_type) {
  const std::string media = core::media_type_of(content_type);
  if (media.empty()) {
    return invalid_request("missing Content-Type; send " + std::string(kSupportedTypes));
  }
  BodyKind kind;
  if (media == "application/x-www-form-urlencoded") {
    kind = BodyKind::kForm;
  } else if (media == "application/json") {
    kind = BodyKind::kJson;
  } else {
    return invalid_request("unsupported Content-Type '" + media + "'; send " +
                           std::string(kSupportedTypes));
  }
  // Parameters (RFC 9110 §8.3.1): only charset means anything to us, and only UTF-8 (of which
  // ASCII, all the form encoding produces, is a subset) is what we decode.
  std::optional<std::string> unsupported;  // the first charset we do not decode
  core::for_each_media_type_param(content_type, [&](std::string_view name, std::string_view value) {
    if (unsupported || core::ascii_lower(name) != "charset") return;
    const std::string charset = core::ascii_lower(value);
    if (charset != "utf-8" && charset != "utf8") unsupported = std::string(value);
  });
  if (unsupported) {
    return invalid_request("unsupported charset '" + *unsupported + "'; send UTF-8");
  }
  return kind;
}

// --- form bodies -------------------------------------------------------------------------------

// application/x-www-form-urlencoded decoding of one name or value: '+' is a space, %XX a byte.
std::optional<std::string> form_decode(std::string_view encoded) {
  return core::percent_decode(encoded, {.plus_is_space = true});
}

std::optional<OAuthError> parse_form(std::string_view body, Fields& fields) {
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2"
    size_t equals = pair.find('=');
    auto name = form_decode(pair.substr(0, equals));
    if (!name) return invalid_request("malformed form body: bad %-escape in a parameter name");
    auto field = field_of(*name);
    if (!field) continue;
    std::string_view raw_value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    auto value = form_decode(raw_value);
    if (!value) {
      return invalid_request("malformed form body: bad %-escape in parameter '" + *name + "'");
    }
    if (!fields.set(*field, *value)) return repeated(*field);
  }
  return std::nullopt;
}

// --- JSON bodies -------------------------------------------------------------------------------

// A SAX handler that reads the top-level string members we know and rejects what a value parse
// would silently accept: a known member twice (boost::json keeps the last) or of another type.
// Unknown members may hold anything.
class JsonFieldsHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  explicit JsonFieldsHandler(Fields& fields) : fields_(fields) {}
  ~JsonFieldsHandler() { wipe(string_); }

  std::optional<OAuthError>& problem() { return problem_; }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code& ec) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (!value_allowed(ec)) return false;
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    --depth_;
    return true;
  }
  bool on_array_begin(boost::system::error_code& ec) {
    if (!value_allowed(ec)) return false;
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t, boost::system::error_code&) {
    --depth_;
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    if (depth_ == 1) key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    if (depth_ != 1) return true;
    key_.append(s.data(), s.size());
    current_ = field_of(key_);
    key_.clear();
    if (current_ && fields_.seen[*current_]) return fail(repeated(*current_), ec);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    if (depth_ == 1 && current_) string_.append(s.data(), s.size());
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    if (depth_ == 0) return not_an_object(ec);
    if (depth_ != 1 || !current_) return true;
    string_.append(s.data(), s.size());
    fields_.set(*current_, string_);  // wipes string_
    current_.reset();
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t, boost::json::string_view, boost::system::error_code& ec) {
    return value_allowed(ec);
  }
  bool on_uint64(uint64_t, boost::json::string_view, boost::system::error_code& ec) {
    return value_allowed(ec);
  }
  bool on_double(double, boost::json::string_view, boost::system::error_code& ec) {
    return value_allowed(ec);
  }
  bool on_bool(bool, boost::system::error_code& ec) { return value_allowed(ec); }
  bool on_null(boost::system::error_code& ec) { return value_allowed(ec); }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  bool fail(OAuthError error, boost::system::error_code& ec) {
    problem_ = std::move(error);
    ec = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    return false;
  }
  bool not_an_object(boost::system::error_code& ec) {
    return fail(invalid_request("the JSON body must be an object"), ec);
  }
  // A non-string value (or a container) starts: fine for unknown members, an error for ours.
  bool value_allowed(boost::system::error_code& ec) {
    if (depth_ == 0) return not_an_object(ec);
    if (depth_ == 1 && current_) {
      return fail(invalid_request("parameter '" + std::string(kFieldNames[*current_]) +
                                  "' must be a JSON string"),
                  ec);
    }
    return true;
  }

  Fields& fields_;
  int depth_ = 0;
  std::string key_;
  std::string string_;
  std::optional<Field> current_;  // the known member whose value comes next (depth 1)
  std::optional<OAuthError> problem_;
};

std::optional<OAuthError> parse_json(std::string_view body, Fields& fields) {
  boost::json::basic_parser<JsonFieldsHandler> parser(boost::json::parse_options(), fields);
  boost::system::error_code ec;
  // write_some stops after one complete value: what it did not consume is trailing garbage.
  const size_t consumed = parser.write_some(false, body.data(), body.size(), ec);
  if (parser.handler().problem()) return std::move(*parser.handler().problem());
  if (ec) return invalid_request("malformed JSON body: " + ec.message());
  if (!parser.done()) return invalid_request("malformed JSON body: incomplete");
  if (consumed != body.size()) {
    return invalid_request("malformed JSON body: extra data after the object");
  }
  return std::nullopt;
}

// --- HTTP Basic --------------------------------------------------------------------------------

struct BasicCredentials {
  std::string id;
  std::string secret;
  ~BasicCredentials() { wipe(secret); }
};

// nullopt when there is no Authorization header; an error for another scheme or bad syntax.
core::Result<std::unique_ptr<BasicCredentials>, OAuthError> parse_basic(
    std::string_view authorization) {
  authorization = core::trim_ows(authorization);
  size_t space = authorization.find(' ');
  const std::string scheme = core::ascii_lower(authorization.substr(0, space));
  if (scheme != "basic") {
    OAuthError error{OAuthErrorCode::kInvalidClient,
                     "unsupported Authorization scheme; authenticate with HTTP Basic or with "
                     "client_id and client_secret in the body"};
    error.basic_auth = true;
    return error;
  }
  const std::string_view malformed =
      "malformed HTTP Basic credentials; send base64(urlencode(client_id) \":\" "
      "urlencode(client_secret))";
  if (space == std::string_view::npos) return invalid_request(std::string(malformed));
  auto decoded = core::base64_decode(core::trim_ows(authorization.substr(space + 1)));
  if (!decoded) return invalid_request(std::string(malformed));
  auto credentials = std::make_unique<BasicCredentials>();
  size_t colon = decoded->find(':');
  std::optional<std::string> id;
  std::optional<std::string> secret;
  if (colon != std::string::npos) {
    id = form_decode(std::string_view(*decoded).substr(0, colon));
    secret = form_decode(std::string_view(*decoded).substr(colon + 1));
  }
  wipe(*decoded);
  const bool ok = id && secret && !id->empty() && !secret->empty();
  if (ok) {
    credentials->id = *id;
    credentials->secret = *secret;
  }
  if (secret) wipe(*secret);
  if (!ok) return invalid_request(std::string(malformed));
  return credentials;
}

}  // namespace

TokenRequest::~TokenRequest() {
  wipe(client_secret);
}

core::Result<std::unique_ptr<TokenRequest>, OAuthError> parse_token_request(
    std::string_view content_type, std::string_view body, std::string_view authorization) {
  auto kind = body_kind(content_type);
  if (!kind) return std::move(kind).error();
  Fields fields;
  auto problem = *kind == BodyKind::kForm ? parse_form(body, fields) : parse_json(body, fields);
  if (problem) return std::move(*problem);

  std::unique_ptr<BasicCredentials> basic;
  if (!core::trim_ows(authorization).empty()) {
    auto parsed = parse_basic(authorization);
    if (!parsed) return std::move(parsed).error();
    basic = std::move(*parsed);
  }

  auto request = std::make_unique<TokenRequest>();
  auto& values = fields.values;
  if (basic) {
    request->basic_auth = true;
    if (values[kClientSecret]) {
      return invalid_request(
          "the client authenticated twice: use HTTP Basic or client_secret in the body, not "
          "both");
    }
    if (values[kClientId] && *values[kClientId] != basic->id) {
      return invalid_request("client_id in the body differs from the HTTP Basic client id");
    }
  }
  if (!values[kGrantType]) return invalid_request("missing grant_type");
  request->grant_type = *values[kGrantType];
  if (basic) {
    request->client_id = basic->id;
    request->client_secret = basic->secret;
  } else {
    if (!values[kClientId] && !values[kClientSecret]) {
      return OAuthError{OAuthErrorCode::kInvalidClient,
                        "client authentication required: send client_id and client_secret in "
                        "the body or an HTTP Basic Authorization header"};
    }
    if (!values[kClientId]) return invalid_request("missing client_id");
    if (!values[kClientSecret]) return invalid_request("missing client_secret");
    request->client_id = *values[kClientId];
    request->client_secret = *values[kClientSecret];
  }
  request->audience = values[kAudience];
  request->scope = values[kScope];
  return request;
}

std::vector<std::string> split_scope(std::string_view scope) {
  std::vector<std::string> out;
  while (!scope.empty()) {
    size_t space = scope.find(' ');
    std::string_view token = scope.substr(0, space);
    scope = space == std::string_view::npos ? std::string_view() : scope.substr(space + 1);
    if (token.empty()) continue;
    if (std::find(out.begin(), out.end(), token) == out.end()) out.emplace_back(token);
  }
  return out;
}

}  // namespace gatehouse::issuer
