// dynamodb: the DynamoDB API listener and its store file.
#include <filesystem>

#include "config/detail/sections.h"

namespace gatehouse::config::detail {

core::Status parse_dynamodb(const Ctx& c, const Field& f, const Config& parsed, DynamoDb* out) {
  out->pos = source_pos(c, f.mark);
  out->file = (std::filesystem::path(parsed.data_dir) / "dynamodb.db").string();
  // `dynamodb: {}` and a bare `dynamodb:` both turn it on with the defaults.
  if (f.value.IsNull()) return {};
  auto m = MapReader::open(c, f, {"listen", "file", "credentials"});
  if (!m) return m.error();
  if (const Field* l = m->get("listen")) GH_CONFIG_TRY(read_listen(c, *l, &out->listen));
  const Field* at = m->get("listen");
  auto refuse = [&](const ListenAddress& other, std::string_view what) -> core::Status {
    if (!listeners_collide(out->listen, other)) return {};
    const std::string message = "dynamodb listens on " + out->listen.to_string() +
                                ", which collides with " + std::string(what) + " " +
                                other.to_string() + "; use another port";
    if (at) return fail(c, *at, message);
    return fail(c, f.mark, m->path_of("listen"), message);
  };
  GH_CONFIG_TRY(refuse(parsed.api.listen, "api.listen"));
  if (parsed.admin.listen) GH_CONFIG_TRY(refuse(*parsed.admin.listen, "admin.listen"));
  if (const Field* p = m->get("file")) GH_CONFIG_TRY(read_path(c, *p, &out->file));
  if (const Field* k = m->get("credentials")) {
    AwsCredentials credentials;
    GH_CONFIG_TRY(read_aws_credentials(c, *k, &credentials));
    out->credentials = std::move(credentials);
  }
  return {};
}

core::Status read_aws_credentials(const Ctx& c, const Field& f, AwsCredentials* out) {
  auto creds = MapReader::open(c, f, {"access_key_id", "secret_access_key"});
  if (!creds) return creds.error();
  const Field* id = creds->get("access_key_id");
  if (!id) return creds->missing(c, "access_key_id");
  GH_CONFIG_TRY(read_nonempty_string(c, *id, &out->access_key_id));
  if (has_control_char(out->access_key_id) || out->access_key_id.size() > 128 ||
      out->access_key_id.find('/') != std::string::npos)
    return fail(c, *id, "expected an access key id of 1..128 printable characters without '/'");
  const Field* secret = creds->get("secret_access_key");
  if (!secret)
    return creds->missing(c, "secret_access_key", "; expected {env: NAME} or {file: path}");
  return parse_secret_ref(c, *secret, &out->secret_access_key);
}

}  // namespace gatehouse::config::detail
