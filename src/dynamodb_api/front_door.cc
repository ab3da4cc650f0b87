#include "dynamodb_api/front_door.h"

#include <boost/json/parse.hpp>

#include <ctime>

#include "core/text.h"
#include "dynamodb_api/operations.h"

namespace gatehouse::dynamodb_api {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";
// JSON nesting a request may have: an item nests 32 levels of lists and maps, two JSON levels
// each, inside a request's own few; deeper text is refused before it is built.
constexpr size_t kMaxJsonDepth = 128;

ApiError error(ErrorType type, std::string message = {}) {
  return ApiError{type, std::move(message), {}, {}};
}

std::string header(const http::Request& request, std::string_view name) {
  auto it = request.msg.find(name);
  return it == request.msg.end() ? std::string() : std::string(it->value());
}

bool has_param(std::string_view authorization, std::string_view name) {
  // Parameters follow the scheme, separated by blanks or commas: "Credential=a/b, Signature=c".
  size_t at = 0;
  while ((at = authorization.find(name, at)) != std::string_view::npos) {
    const bool starts = at > 0 && (authorization[at - 1] == ' ' || authorization[at - 1] == ',');
    const size_t end = at + name.size();
    if (starts && end < authorization.size() && authorization[end] == '=') return true;
    at = end;
  }
  return false;
}

// The checks DynamoDB makes of any signature: its parts are there.
std::optional<ApiError> check_signature_parts(const http::Request& request,
                                              std::string_view authorization) {
  std::string missing;
  for (std::string_view part : {"Credential", "Signature", "SignedHeaders"}) {
    if (!has_param(authorization, part))
      missing += "Authorization header requires '" + std::string(part) + "' parameter. ";
  }
  if (header(request, "x-amz-date").empty() && header(request, "date").empty())
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
        "header. ";
  if (missing.empty()) return std::nullopt;
  return error(ErrorType::kIncompleteSignature,
               missing + "Authorization=" + std::string(authorization));
}

// "20130609T100759Z" as a time point; nullopt unless in ISO 8601 basic format.
std::optional<core::SystemTime> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  std::tm tm{};
  auto digits = [&](size_t at, size_t n, int& out) {
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!digits(0, 4, year) || !digits(4, 2, month) || !digits(6, 2, day) || !digits(9, 2, hour) ||
      !digits(11, 2, minute) || !digits(13, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<std::pair<std::string, std::string>> query_pairs(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    out.emplace_back(core::percent_decode_lenient(part.substr(0, eq)),
                     eq == std::string_view::npos
                         ? std::string()
                         : core::percent_decode_lenient(part.substr(eq + 1)));
  }
  return out;
}

// With credentials configured: the key id, the date and the signature itself.
std::optional<ApiError> verify_signature(const http::Request& request,
                                         std::string_view authorization,
                                         const aws::Credentials& credentials,
                                         core::SystemTime now) {
  auto parsed = aws::parse_authorization(authorization);
  if (!parsed)
    return error(ErrorType::kIncompleteSignature,
                 "Authorization header is malformed. Authorization=" + std::string(authorization));
  if (parsed->access_key_id != credentials.access_key_id)
    return error(ErrorType::kUnrecognizedClient,
                 "The security token included in the request is invalid.");
  bool host_signed = false;
  for (const std::string& name : parsed->signed_headers)
    host_signed = host_signed || name == "host";
  if (!host_signed)
    return error(ErrorType::kInvalidSignature,
                 "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  std::string date = header(request, "x-amz-date");
  auto when = parse_amz_date(date);
  if (!when)
    return error(ErrorType::kInvalidSignature, "Date must be in ISO-8601 'basic format'. Got '" +
                                                   date +
                                                   "'. See http://en.wikipedia.org/wiki/ISO_8601");
  constexpr auto kSkew = std::chrono::minutes(15);
  if (*when < now - kSkew)
    return error(ErrorType::kInvalidSignature,
                 "Signature expired: " + date + " is now earlier than " +
                     aws::amz_date(now - kSkew) + " (" + aws::amz_date(now) + " - 15 min.)");
  if (*when > now + kSkew)
    return error(ErrorType::kInvalidSignature,
                 "Signature not yet current: " + date + " is still later than " +
                     aws::amz_date(now + kSkew) + " (" + aws::amz_date(now) + " + 15 min.)");
  if (parsed->scope.date != date.substr(0, 8))
    return error(ErrorType::kInvalidSignature,
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                 "from HTTP: '" +
                     parsed->scope.date + "' != '" + date.substr(0, 8) + "', from '" + date + "'.");

  aws::SigningInput in;
  const std::string method(request.msg.method_string());
  in.method = method;
  const std::string path = core::percent_decode_lenient(request.path);
  in.path = path;
  in.query = query_pairs(request.query);
  for (const std::string& name : parsed->signed_headers) {
    for (const auto& field : request.msg) {
      if (core::ascii_lower(std::string_view(field.name_string())) == name)
        in.headers.emplace_back(name, std::string(field.value()));
    }
  }
  in.payload_sha256_hex = aws::sha256_hex(request.msg.body());
  const std::string canonical = aws::canonical_request(in);
  const std::string to_sign = aws::string_to_sign(date, parsed->scope, canonical);
  const std::string expected =
      aws::signature(credentials.secret_access_key, parsed->scope, to_sign);
  if (aws::signatures_equal(expected, parsed->signature)) return std::nullopt;
  return error(ErrorType::kInvalidSignature,
               "The request signature we calculated does not match the signature you provided. "
               "Check your AWS Secret Access Key and signing method. Consult the service "
               "documentation for details.\n\nThe Canonical String for this request should have "
               "been\n'" +
                   canonical + "'\n\nThe String-to-Sign should have been\n'" + to_sign + "'\n");
}

}  // namespace

std::string accepted_content_type(const http::Request& request) {
  const std::string type = core::media_type_of(header(request, "content-type"));
  if (type == "application/x-amz-json-1.0" || type == "application/json") return type;
  return {};
}

Verdict admit(const http::Request& request, const FrontDoorOptions& options, core::SystemTime now) {
  const auto method = request.msg.method();
  const std::string origin = header(request, "origin");
  if (method == bhttp::verb::get)
    return DoorAnswer{200, "text/plain", "healthy: dynamodb." + options.region + ".amazonaws.com ",
                      false};
  if (method == bhttp::verb::options && !origin.empty()) return DoorAnswer{200, {}, {}, true};
  const DoorAnswer not_found{404, {}, "<UnknownOperationException/>\n", false};
  if (method != bhttp::verb::post) return not_found;
  const std::string content_type = accepted_content_type(request);
  const std::string& body = request.msg.body();
  if (content_type.empty() && (!body.empty() || !header(request, "content-type").empty()))
    return not_found;

  boost::json::object parsed_body;
  if (!body.empty()) {
    boost::json::parse_options limits;
    limits.max_depth = kMaxJsonDepth;
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(body, ec, {}, limits);
    if (ec || !parsed.is_object()) return serialization();
    parsed_body = std::move(parsed.as_object());
  }

  const std::string target = header(request, "x-amz-target");
  std::string operation;
  if (target.starts_with(kTargetPrefix)) operation = target.substr(kTargetPrefix.size());
  if (!is_operation(operation)) return error(ErrorType::kUnknownOperation);

  const std::string authorization = header(request, "authorization");
  const bool query_auth = request.query.find("X-Amz-Algorithm") != std::string_view::npos;
  if (!authorization.empty() && query_auth)
    return error(ErrorType::kInvalidSignature,
                 "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
                 "HTTP header.");
  if (!authorization.starts_with("AWS4-"))
    return error(ErrorType::kMissingAuthenticationToken, "Request is missing Authentication Token");
  if (auto incomplete = check_signature_parts(request, authorization)) return *incomplete;
  if (options.credentials) {
    if (auto refused = verify_signature(request, authorization, *options.credentials, now))
      return *refused;
  }
  if (body.empty()) return serialization();
  return Call{std::move(operation), std::move(parsed_body),
              content_type.empty() ? "application/x-amz-json-1.0" : content_type};
}

}  // namespace gatehouse::dynamodb_api
