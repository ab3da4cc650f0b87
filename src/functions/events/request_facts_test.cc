#include "functions/events/request_facts.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "functions/events/events.h"

namespace gatehouse::functions::events {
namespace {

namespace json = boost::json;

// The member of `object` whose name equals `name` case-insensitively (events keep the client's
// casing of the first occurrence), or null.
const json::value* find_ci(const json::object& object, std::string_view name) {
  for (const auto& member : object) {
    if (header_name_equals(member.key(), name)) return &member.value();
  }
  return nullptr;
}

RequestFacts sample_facts() {
  RequestFacts f;
  f.method = "GET";
  f.raw_path = "/items/a%2Fb";
  f.resource = "/items/{id}";
  f.method_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items/a/b";
  f.stage = "prod";
  f.account_id = "123456789012";
  f.api_id = "abc123";
  f.domain_name = "api.example.com";
  f.request_id = "7a8c5040-e76b-400f-8407-0c6ed9b72e46";
  f.extended_request_id = "N7Sb5GwpDoEEf9A=";
  f.resource_id = "a1b2c3";
  f.source_ip = "203.0.113.7";
  f.user_agent = "curl/8.0";
  f.protocol = "HTTP/1.1";
  f.request_time_epoch_ms = 1699190655123;
  return f;
}

// Header names compare case-insensitively; the last value is the one the event's map holds.
TEST(FindHeader, CountsEveryCasingAndKeepsTheLastValue) {
  std::vector<NameValue> headers = {
      {"Authorization", "Bearer a"}, {"Accept", "*/*"}, {"authorization", "Bearer b"}};
  HeaderValues v = find_header(headers, "AUTHORIZATION");
  EXPECT_EQ(v.count, 2u);
  EXPECT_EQ(v.last, "Bearer b");
  EXPECT_EQ(find_header(headers, "x-missing").count, 0u);
}

// Headers the events never carry are never found either.
TEST(FindHeader, DoesNotFindHeadersThatAreNotPassedOn) {
  std::vector<NameValue> headers = {{"Connection", "close"}, {"Content-Length", "3"}};
  EXPECT_EQ(find_header(headers, "connection").count, 0u);
  EXPECT_EQ(find_header(headers, "Content-Length").count, 0u);
  EXPECT_FALSE(is_passed_on("CONNECTION"));
  EXPECT_TRUE(is_passed_on("Authorization"));
}

// Names are compared after decoding, so an encoded spelling is the same parameter.
TEST(FindQueryParam, ComparesDecodedNames) {
  QueryValues v = find_query_param("tenant=acme&%74enant=globex", "tenant");
  EXPECT_EQ(v.count, 2u);
  EXPECT_EQ(v.last, "globex");
}

// Values are decoded as the events decode them: '+' a space, %XX a byte, a lone '%' kept.
TEST(FindQueryParam, DecodesValues) {
  EXPECT_EQ(find_query_param("token=a+b%2Bc", "token").last, "a b+c");
  EXPECT_EQ(find_query_param("token=100%", "token").last, "100%");
  EXPECT_EQ(find_query_param("token", "token").count, 1u);
  EXPECT_EQ(find_query_param("token", "token").last, "");
  EXPECT_EQ(find_query_param("a=1&&=2&b", "c").count, 0u);
}

// parse_query groups by decoded name in order of first occurrence.
TEST(ParseQuery, GroupsByDecodedName) {
  auto params = parse_query("b=1&a=2&%62=3");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "b");
  EXPECT_EQ(params[0].values, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(params[1].name, "a");
}

// requestContext.path has the stage first, and no stage segment when the stage is empty.
TEST(RequestContextValue, PathHasTheStageFirst) {
  RequestFacts f = sample_facts();
  EXPECT_EQ(request_context_value(f, "path"), "/prod/items/a%2Fb");
  f.stage = "";
  EXPECT_EQ(request_context_value(f, "path"), "/items/a%2Fb");
  EXPECT_EQ(request_context_value(f, "requestTime"), std::nullopt);
  EXPECT_EQ(request_context_value(f, "authorizer.principalId"), std::nullopt);
}

// Every context path an identity source may name reads exactly what both events carry there.
TEST(RequestContextValue, EqualsWhatTheEventsCarry) {
  RequestFacts f = sample_facts();
  for (bool with_agent : {true, false}) {
    f.user_agent = with_agent ? "curl/8.0" : "";
    for (const std::string& text : {request_authorizer_event(f), proxy_event(f, nullptr)}) {
      const json::object context = json::parse(text).at("requestContext").as_object();
      for (std::string_view path :
           {"httpMethod", "resourcePath", "resourceId", "path", "stage", "requestId",
            "extendedRequestId", "apiId", "domainPrefix", "accountId", "domainName", "protocol",
            "identity.sourceIp", "identity.userAgent"}) {
        const json::value* v = nullptr;
        if (path.starts_with("identity.")) {
          v = context.at("identity").as_object().if_contains(path.substr(9));
        } else {
          v = context.if_contains(path);
        }
        ASSERT_NE(v, nullptr) << path;
        auto read = request_context_value(f, path);
        ASSERT_TRUE(read.has_value()) << path;
        std::string in_event = v->is_null() ? std::string() : std::string(v->as_string());
        EXPECT_EQ(*read, in_event) << path;
      }
    }
  }
}

// The client certificate's paths read what the events carry under identity.clientCert; empty when
// the connection has none (an identity source then finds the request without its identity).
TEST(RequestContextValue, ClientCertificatePathsEqualWhatTheEventsCarry) {
  RequestFacts f = sample_facts();
  for (std::string_view path :
       {"identity.clientCert.subjectDN", "identity.clientCert.validity.notAfter"}) {
    EXPECT_EQ(request_context_value(f, path), "") << path;  // plain HTTP
  }
  core::TlsFacts tls;
  tls.client_certificate_asked = true;
  f.tls = &tls;
  EXPECT_EQ(request_context_value(f, "identity.clientCert.serialNumber"), "");  // none came
  tls.client_certificate = core::ClientCertificate{
      "PEM\n", "CN=c", "CN=ca", "4660", "Jan  1 00:00:00 2026 GMT", "Jan  1 00:00:00 2027 GMT"};
  for (const std::string& text : {request_authorizer_event(f), proxy_event(f, nullptr)}) {
    const json::object cert =
        json::parse(text).at("requestContext").at("identity").at("clientCert").as_object();
    for (std::string_view key : {"clientCertPem", "subjectDN", "issuerDN", "serialNumber"}) {
      EXPECT_EQ(request_context_value(f, "identity.clientCert." + std::string(key)),
                std::string(cert.at(key).as_string()))
          << key;
    }
    for (std::string_view key : {"notBefore", "notAfter"}) {
      EXPECT_EQ(request_context_value(f, "identity.clientCert.validity." + std::string(key)),
                std::string(cert.at("validity").at(key).as_string()))
          << key;
    }
  }
}

// Over many generated requests (repeats, casings, encodings, orders), find_header and
// find_query_param read exactly what the REQUEST and proxy events carry in their single-value
// maps, and count what their multi-value maps hold.
TEST(RequestFacts, ReadingAgreesWithTheEventsOverRandomRequests) {
  std::mt19937 rng(20261206);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::string> header_names = {"Authorization", "authorization", "AUTHORIZATION",
                                                 "X-Tenant",      "x-tenant",      "Connection",
                                                 "Content-Length"};
  const std::vector<std::string> query_names = {"token",    "%74oken", "t%6Fken", "tenant",
                                                "%74enant", "token+",  "to%20ken"};
  const std::vector<std::string> values = {"a", "b", "Bearer x.y.z", "", "p%41q", "a+b", "%zz"};
  for (int round = 0; round < 2000; ++round) {
    RequestFacts f = sample_facts();
    std::vector<std::string> storage;
    storage.reserve(16);
    size_t header_count = pick(5);
    for (size_t i = 0; i < header_count; ++i) {
      storage.push_back(values[pick(values.size())]);
      f.headers.emplace_back(header_names[pick(header_names.size())], storage.back());
    }
    std::string query;
    size_t param_count = pick(5);
    for (size_t i = 0; i < param_count; ++i) {
      if (!query.empty()) query += '&';
      query += query_names[pick(query_names.size())];
      if (pick(4) != 0) query += "=" + values[pick(values.size())];
    }
    f.raw_query = query;
    for (const std::string& text : {request_authorizer_event(f), proxy_event(f, nullptr)}) {
      json::value event = json::parse(text);
      for (const std::string& name : {std::string("authorization"), std::string("x-tenant"),
                                      std::string("connection"), std::string("content-length")}) {
        HeaderValues read = find_header(f.headers, name);
        const json::value& single = event.at("headers");
        const json::value* shown = single.is_null() ? nullptr : find_ci(single.as_object(), name);
        if (read.count == 0) {
          EXPECT_EQ(shown, nullptr) << name << " in " << text;
          continue;
        }
        ASSERT_NE(shown, nullptr) << name << " in " << text;
        EXPECT_EQ(shown->as_string(), read.last) << name;
        const json::value* all = find_ci(event.at("multiValueHeaders").as_object(), name);
        ASSERT_NE(all, nullptr);
        EXPECT_EQ(all->as_array().size(), read.count) << name;
      }
      for (const std::string& name : {std::string("token"), std::string("tenant"),
                                      std::string("token "), std::string("to ken")}) {
        QueryValues read = find_query_param(f.raw_query, name);
        const json::value& single = event.at("queryStringParameters");
        const json::value* shown =
            single.is_null() ? nullptr : single.as_object().if_contains(name);
        if (read.count == 0) {
          EXPECT_EQ(shown, nullptr) << name << " in " << query;
          continue;
        }
        ASSERT_NE(shown, nullptr) << name << " in " << query;
        EXPECT_EQ(shown->as_string(), read.last) << name << " in " << query;
        EXPECT_EQ(event.at("multiValueQueryStringParameters").at(name).as_array().size(),
                  read.count);
      }
    }
  }
}

}  // namespace
}  // namespace gatehouse::functions::events
