#include "aws/credential_chain.h"

#include <cstdlib>

#include "core/files.h"

namespace gatehouse::aws {
namespace {

// A credentials or config file larger than this is not one.
constexpr size_t kMaxFileBytes = 1024 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// One file's section for the profile, if the file exists and has it.
struct FileLookup {
  bool exists = false;
  std::optional<std::map<std::string, std::string>> section;
};

core::Result<FileLookup> look_up(const std::string& path, const std::string& section) {
  FileLookup out;
  if (path.empty()) return out;
  auto text = core::read_file(path, kMaxFileBytes);
  if (!text) {
    if (text.error().code() == core::Code::kNotFound) return out;
    return text.error();
  }
  out.exists = true;
  auto sections = parse_ini(*text, path);
  if (!sections) return sections.error();
  if (auto it = sections->find(section); it != sections->end()) out.section = it->second;
  return out;
}

// The pair in a profile's section: none, both, or an error for half of it.
core::Result<std::optional<Credentials>> pair_of(const std::map<std::string, std::string>& keys,
                                                 std::string_view where) {
  auto id = keys.find("aws_access_key_id");
  auto secret = keys.find("aws_secret_access_key");
  const bool has_id = id != keys.end() && !id->second.empty();
  const bool has_secret = secret != keys.end() && !secret->second.empty();
  if (!has_id && !has_secret) return std::optional<Credentials>();
  if (!has_id || !has_secret)
    return core::invalid_argument(std::string(where) + " has " +
                                  (has_id ? "aws_access_key_id without aws_secret_access_key"
                                          : "aws_secret_access_key without aws_access_key_id"));
  return std::optional<Credentials>(Credentials{id->second, secret->second});
}

}  // namespace

CredentialSources CredentialSources::from_environment() {
  CredentialSources out;
  out.env = [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
  const auto home = out.env("HOME");
  const std::string aws_dir = home && !home->empty() ? *home + "/.aws/" : std::string();
  out.credentials_file = out.env("AWS_SHARED_CREDENTIALS_FILE")
                             .value_or(aws_dir.empty() ? "" : aws_dir + "credentials");
  out.config_file = out.env("AWS_CONFIG_FILE").value_or(aws_dir.empty() ? "" : aws_dir + "config");
  return out;
}

core::Result<ResolvedCredentials> resolve_credentials(const CredentialSources& sources) {
  if (sources.configured) return ResolvedCredentials{*sources.configured, {}, "gatehouse's config"};

  auto env = [&](std::string_view name) -> std::string {
    if (!sources.env) return {};
    return sources.env(name).value_or("");
  };
  const std::string id = env("AWS_ACCESS_KEY_ID");
  const std::string secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() && !secret.empty())
    return ResolvedCredentials{{id, secret}, env("AWS_SESSION_TOKEN"), "the environment"};
  if (!id.empty() || !secret.empty())
    return core::invalid_argument(
        !id.empty() ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                    : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");

  const std::string named = env("AWS_PROFILE");
  const std::string profile = named.empty() ? "default" : named;
  // The config file names profiles "[profile x]", except the default one.
  const std::string config_section = profile == "default" ? profile : "profile " + profile;
  const std::pair<const std::string*, std::string> files[] = {
      {&sources.credentials_file, profile}, {&sources.config_file, config_section}};
  bool profile_seen = false;
  for (const auto& [path, section] : files) {
    auto found = look_up(*path, section);
    if (!found) return found.error();
    if (!found->section) continue;
    profile_seen = true;
    const std::string where = "profile '" + profile + "' of " + *path;
    auto pair = pair_of(*found->section, where);
    if (!pair) return pair.error();
    if (!*pair) continue;
    auto token = found->section->find("aws_session_token");
    return ResolvedCredentials{
        **pair, token == found->section->end() ? std::string() : token->second, where};
  }

  auto shown = [](const std::string& path) { return path.empty() ? std::string("(none)") : path; };
  const std::string looked = shown(sources.credentials_file) + " nor " + shown(sources.config_file);
  if (!named.empty() && !profile_seen)
    return core::invalid_argument("AWS_PROFILE names profile '" + named + "', which neither " +
                                  looked + " has");
  return core::not_found(
      "no AWS credentials found: none in gatehouse's config, AWS_ACCESS_KEY_ID and "
      "AWS_SECRET_ACCESS_KEY are not set, and neither " +
      looked +
      " (missing files included) has aws_access_key_id and aws_secret_access_key for "
      "profile '" +
      profile + "'");
}

core::Result<IniSections> parse_ini(std::string_view text, std::string_view file_name) {
  IniSections out;
  std::map<std::string, std::string>* section = nullptr;
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    // An indented line under a key is one of its nested settings (the config file's "s3 =").
    if (indented && section) continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3)
        return core::invalid_argument(std::string(file_name) + ":" + std::to_string(line_number) +
                                      ": a section header must be [name]");
      section = &out[std::string(trim(line.substr(1, line.size() - 2)))];
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos || equals == 0)
      return core::invalid_argument(std::string(file_name) + ":" + std::to_string(line_number) +
                                    ": expected [section] or key = value");
    if (!section)
      return core::invalid_argument(std::string(file_name) + ":" + std::to_string(line_number) +
                                    ": a setting before any [section]");
    (*section)[lower(trim(line.substr(0, equals)))] = std::string(trim(line.substr(equals + 1)));
  }
  return out;
}

}  // namespace gatehouse::aws
