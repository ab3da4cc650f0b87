// Where AWS credentials come from, in the order the AWS SDKs look: credentials given in config,
// then the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the
// shared credentials file and the shared config file, for the profile AWS_PROFILE names
// ("default" otherwise). What signs requests to a remote DynamoDB. The instance and container
// metadata services are not asked: they are not reachable where gatehouse is tested, and a
// deployment that has them can pass their credentials through the environment.
//
// Usage:
//   aws::CredentialSources sources = aws::CredentialSources::from_environment();
//   auto found = aws::resolve_credentials(sources);
//   if (!found) die(found.error().message());  // says where it looked
//   log("credentials from {}", found->source);  // never the secret
//
// Thread safety: pure functions over their inputs (from_environment() reads the environment).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "core/status.h"

namespace gatehouse::aws {

struct ResolvedCredentials {
  Credentials credentials;
  std::string session_token;  // temporary credentials' token (X-Amz-Security-Token); never logged
  std::string source;         // where they came from, for logs: "environment", "profile 'x' of ..."
};

struct CredentialSources {
  std::optional<Credentials> configured;  // from gatehouse's config; wins over the rest
  // Reads an environment variable; nullopt when unset.
  std::function<std::optional<std::string>(std::string_view)> env;
  // The files' paths: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws/credentials and
  // ~/.aws/config; empty when there is no home directory to find them in.
  std::string credentials_file;
  std::string config_file;

  // The process environment and its files.
  static CredentialSources from_environment();
};

// The first complete credentials in the chain. Errors (kNotFound when nothing was found,
// kInvalidArgument for half a pair or a named profile that does not exist, kIoError or
// kResourceExhausted for an unreadable or oversized file) name the places looked at, never a
// secret.
core::Result<ResolvedCredentials> resolve_credentials(const CredentialSources& sources);

// An AWS shared credentials or config file: "[section]" headers (the config file writes
// "[profile name]" for profiles other than default), "key = value" lines, '#' and ';' comments.
// Keys are lower-cased; a repeated key keeps its last value. Lines that are neither are an
// error naming the line number.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
core::Result<IniSections> parse_ini(std::string_view text, std::string_view file_name);

}  // namespace gatehouse::aws
