#include "core/endpoint_uri.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>

#include "core/text.h"

namespace gatehouse::core {
namespace {

bool is_name_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '.' || ch == '_' || ch == '-';
}

}  // namespace

Result<std::string> substitute_stage_variables(
    std::string_view uri, const std::vector<std::pair<std::string, std::string>>& variables) {
  static constexpr std::string_view kOpen = "${stageVariables.";
  std::string out;
  size_t i = 0;
  for (size_t at; (at = uri.find("${", i)) != std::string_view::npos;) {
    out.append(uri.substr(i, at - i));
    size_t close = uri.find('}', at);
    if (!uri.substr(at).starts_with(kOpen) || close == std::string_view::npos) {
      return invalid_argument("'${' starts something other than ${stageVariables.<name>}");
    }
    std::string_view name = uri.substr(at + kOpen.size(), close - at - kOpen.size());
    auto it = std::find_if(variables.begin(), variables.end(),
                           [&](const auto& v) { return v.first == name; });
    if (it == variables.end()) {
      return invalid_argument("stage variable '" + std::string(name) +
                              "' is not defined under api.stage_variables");
    }
    out += it->second;
    i = close + 1;
  }
  out.append(uri.substr(i));
  return out;
}

Result<EndpointUri> parse_endpoint_uri(std::string_view uri) {
  for (char ch : uri) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) {
      return invalid_argument("a URI holds no spaces or control characters");
    }
  }
  // Where the origin ends: the first '/', '?' or '#' after "scheme://".
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) {
    return invalid_argument(
        "expected an http:// or https:// URI, e.g. http://127.0.0.1:3000/users");
  }
  size_t origin_end = uri.find_first_of("/?#", scheme_end + 3);
  if (origin_end == std::string_view::npos) origin_end = uri.size();
  std::string_view origin = uri.substr(0, origin_end);
  if (origin.find_first_of("{}") != std::string_view::npos) {
    return invalid_argument(
        "{...} placeholders stand for path parameters and belong in the path or the query, not "
        "the host (a stage variable, ${stageVariables.<name>}, may name the host)");
  }
  EndpointUri out;
  // The placeholders, replaced by a plain character so the URI parser sees a valid URI.
  std::string plain(uri.substr(0, origin_end));
  for (size_t i = origin_end; i < uri.size(); ++i) {
    char ch = uri[i];
    if (ch == '}') return invalid_argument("a '}' without its '{'");
    if (ch != '{') {
      plain += ch;
      continue;
    }
    size_t close = uri.find('}', i);
    if (close == std::string_view::npos) return invalid_argument("a '{' without its '}'");
    std::string_view name = uri.substr(i + 1, close - i - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) {
      return invalid_argument("{" + std::string(name) +
                              "} is not a path parameter placeholder; expected {name} with "
                              "letters, digits, '.', '_' or '-' ({proxy} for a greedy {proxy+})");
    }
    out.placeholders.emplace_back(name);
    plain += 'x';
    i = close;
  }
  auto parsed = boost::urls::parse_uri(plain);
  if (!parsed) return invalid_argument("not a valid URI: " + parsed.error().message());
  const boost::urls::url_view& u = *parsed;
  std::string scheme = ascii_lower(u.scheme());
  if (scheme != "http" && scheme != "https") {
    return invalid_argument("the scheme must be http or https, not " + std::string(u.scheme()));
  }
  if (!u.has_authority() || u.encoded_host().empty())
    return invalid_argument("the URI names no host");
  if (u.has_userinfo()) {
    return invalid_argument(
        "user info (user:password@) does not belong in the URI; send "
        "credentials with request_parameters");
  }
  if (u.has_fragment()) return invalid_argument("a fragment (#...) is never sent to a server");
  unsigned long port = 0;
  if (u.has_port()) {
    std::string_view digits = u.port();
    if (digits.empty() || digits.size() > 5 || std::stoul(std::string(digits)) == 0 ||
        std::stoul(std::string(digits)) > 65535) {
      return invalid_argument("the port must be 1..65535, not '" + std::string(digits) + "'");
    }
    port = std::stoul(std::string(digits));
  }
  // One spelling per origin (http://A and http://a:80 are one service, one pool): the host
  // lower-cased, the scheme's own port left out.
  out.origin = scheme + "://" + ascii_lower(u.encoded_host());
  const unsigned long default_port = scheme == "https" ? 443 : 80;
  if (port != 0 && port != default_port) out.origin += ":" + std::to_string(port);
  out.target = std::string(uri.substr(origin_end));
  if (out.target.empty() || out.target.front() == '?') out.target.insert(0, "/");
  return out;
}

}  // namespace gatehouse::core
