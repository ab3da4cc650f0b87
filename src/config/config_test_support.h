// What the config tests share: parsing a config and its error, a public route to complete a
// config, a jwt authorizer block and tables of error cases.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace gatehouse::config::test_support {

inline std::string testdata() {
  const char* env = std::getenv("GH_TESTDATA");
  return env != nullptr ? env : GH_TESTDATA_DIR;
}

// Parses yaml as "/etc/gh/gh.yaml"; fails the test on error.
inline std::shared_ptr<const Config> config_of(std::string_view yaml) {
  auto r = parse(yaml, "/etc/gh/gh.yaml");
  if (!r) {
    ADD_FAILURE() << r.error().to_string();
    return std::make_shared<const Config>();
  }
  return *r;
}

// The error message for yaml parsed as "gh.yaml"; fails the test if it parses.
inline std::string error_of(std::string_view yaml) {
  auto r = parse(yaml, "gh.yaml");
  if (r) {
    ADD_FAILURE() << "parsed, expected an error";
    return "";
  }
  EXPECT_EQ(r.error().code(), core::Code::kInvalidArgument) << r.error().to_string();
  return r.error().message();
}

// A valid public route, to complete configs whose subject is elsewhere.
inline constexpr std::string_view kPublicRoute =
    "routes:\n"
    "  - path: /\n"
    "    method: GET\n"
    "    auth: none\n"
    "    integration: {type: mock}\n";

inline std::string with_route(std::string_view head) {
  return std::string(head) + std::string(kPublicRoute);
}

// A jwt authorizer block; `extra` goes after issuer/audiences, `keys` is the keys map's body.
inline std::string jwt_config(std::string_view extra,
                              std::string_view keys = "      jwks_file: k.json\n") {
  return "api: {name: x}\n"
         "authorizers:\n"
         "  jwt:\n"
         "    type: jwt\n"
         "    issuer: https://issuer/\n"
         "    audiences: [api]\n" +
         std::string(extra) + "    keys:\n" + std::string(keys) + std::string(kPublicRoute);
}

// One error case: a config and the exact message parsing it gives.
struct Case {
  const char* name;
  std::string yaml;
  std::string message;
};

inline void expect_errors(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(error_of(c.yaml), c.message) << "case: " << c.name << "\n" << c.yaml;
  }
}

}  // namespace gatehouse::config::test_support
