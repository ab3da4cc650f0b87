#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "gateway/build.h"

namespace gatehouse::gateway {
namespace {

const char* kBase = R"(api: {name: t, listen: 127.0.0.1:8080}
admin: {listen: 127.0.0.1:9090}
tables:
  notes: {}
routes:
  - {path: /a, method: GET, auth: none, integration: {type: mock}}
)";

std::shared_ptr<const config::Config> parse(const std::string& yaml) {
  auto c = config::parse(yaml, "gatehouse.yaml");
  EXPECT_TRUE(bool(c)) << (c ? "" : c.error().message());
  return *c;
}

std::string refusal(const std::string& next) {
  auto s = restart_needed(*parse(kBase), *parse(next));
  return s.ok() ? "" : s.message();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(RestartNeeded, RoutesAndMovedLinesAreNotRestarts) {
  EXPECT_EQ(refusal(kBase), "");
  // Definitions compare without their positions: lines moved by a comment change nothing.
  EXPECT_EQ(refusal(std::string("# a comment\n\n") + kBase), "");
  EXPECT_EQ(refusal(replaced(kBase, "path: /a", "path: /b")), "");
}

TEST(RestartNeeded, ListenersLimitsAndTablesAre) {
  EXPECT_EQ(refusal(replaced(kBase, "127.0.0.1:8080", "127.0.0.1:8081")),
            "gatehouse.yaml:1:6: api.listen: listeners are bound once, at start: restart "
            "gatehouse to apply this change");
  EXPECT_NE(refusal(replaced(kBase, "127.0.0.1:9090", "off")).find("admin.listen"),
            std::string::npos);
  EXPECT_NE(refusal(replaced(kBase, "listen: 127.0.0.1:8080}",
                             "listen: 127.0.0.1:8080, limits: {max_body_bytes: 1024}}"))
                .find("api.limits: the API listener's limits are set once"),
            std::string::npos);
  EXPECT_NE(refusal(replaced(kBase, "notes: {}", "notes: {key: pk}")).find("tables.notes:"),
            std::string::npos);
  EXPECT_NE(refusal(replaced(kBase, "notes: {}", "notes: {}\n  more: {}"))
                .find("tables.more: a new table"),
            std::string::npos);
  EXPECT_NE(refusal(replaced(kBase, "tables:\n  notes: {}\n", "")).find("tables.notes: removed"),
            std::string::npos);
}

// HTTP or HTTPS is the listener's from its start; its certificates may change at a reload.
TEST(RestartNeeded, TlsOnOrOffIsCertificatesAreNot) {
  const std::string with_tls =
      replaced(kBase, "listen: 127.0.0.1:8080}",
               "listen: 127.0.0.1:8080, tls: {certificates: [{certificate: a.pem, key: a.key}]}}");
  EXPECT_NE(refusal(with_tls).find("api.tls: the API listener speaks HTTP or HTTPS from its start"),
            std::string::npos);
  auto s = restart_needed(*parse(with_tls), *parse(replaced(with_tls, "a.pem", "b.pem")));
  EXPECT_TRUE(s.ok()) << s.message();
}

}  // namespace
}  // namespace gatehouse::gateway
