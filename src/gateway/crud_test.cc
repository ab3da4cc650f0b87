#include "gateway/crud.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <future>

#include "store/faulty_table.h"
#include "store/sqlite/engine.h"
#include "store/sqlite/engine_table.h"

namespace gatehouse::gateway {
namespace {

namespace json = boost::json;
using store::FaultyTable;
using store::StoreErrorCode;

// A crud table of a real store in a temporary directory behind a FaultyTable, and the two route
// shapes.
class CrudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gatehouse-crud-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto engine = store::sqlite::Engine::open({.path = dir_ + "/t.db"}, stats_, clock_);
    ASSERT_TRUE(engine.has_value()) << engine.error().message();
    engine_ = std::move(*engine);
    auto table = store::sqlite::EngineTable::open(*engine_, "users", "id", 409'600);
    ASSERT_TRUE(table.has_value()) << table.error().message();
    faulty_ = new FaultyTable(std::move(*table));
    table_.reset(faulty_);
    collection_.table = table_.get();
    collection_.max_item_bytes = 200;
    item_ = collection_;
    item_.item_route = true;
  }
  void TearDown() override {
    table_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  CrudOutcome run(const CrudRoute& route, std::string_view method, std::string_view body = {},
                  std::string_view key = {}, std::string_view query = {},
                  std::string_view content_type = "application/json",
                  std::string_view principal = "alice") {
    std::promise<CrudOutcome> p;
    CrudRequest req{
        method,   route.item_route ? "/users/x" : "/users", query, content_type, body, key,
        principal};
    run_crud(route, req, clock_, [&p](CrudOutcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  json::object object_of(const CrudOutcome& o) { return json::parse(o.body).as_object(); }

  std::string dir_;
  store::sqlite::SqliteStats stats_;
  core::ManualClock clock_{1'795'490'095};
  std::unique_ptr<store::sqlite::Engine> engine_;
  FaultyTable* faulty_ = nullptr;
  std::unique_ptr<store::Table> table_;
  CrudRoute collection_;
  CrudRoute item_;
};

// POST stores the item with a generated time-ordered id, the caller as createdBy and a Location.
TEST_F(CrudTest, CreateGeneratesIdAndMetadata) {
  CrudOutcome o =
      run(collection_, "POST", R"({"name":"Yev","tags":["a",{"b":null}],"n":[1.5,0.1,-7,1e100]})");
  ASSERT_EQ(o.status, 201u) << o.message;
  json::object item = object_of(o);
  std::string id(item["id"].as_string());
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7');
  EXPECT_EQ(o.location, "/users/" + id);
  EXPECT_EQ(item["name"], "Yev");
  EXPECT_EQ(json::serialize(item["tags"]), R"(["a",{"b":null}])");
  // Numbers are DynamoDB numbers, written in plain decimal (not Boost.JSON's 1.5E0).
  EXPECT_NE(o.body.find(R"("n":[1.5,0.1,-7,1)" + std::string(100, '0') + "]"), std::string::npos)
      << o.body;
  EXPECT_EQ(item["createdBy"], "alice");
  EXPECT_EQ(item["createdAt"], "2026-11-24T03:14:55.000Z");
  EXPECT_EQ(item["updatedAt"], "2026-11-24T03:14:55.000Z");
  // The key comes first, then the attributes by name.
  EXPECT_TRUE(o.body.starts_with("{\"id\":\"" + id + "\",\"n\":[")) << o.body;
}

// A client-chosen id is create-if-absent: the second POST is 409.
TEST_F(CrudTest, CreateWithTakenIdIsConflict) {
  EXPECT_EQ(run(collection_, "POST", R"({"id":"u1"})").status, 201u);
  CrudOutcome o = run(collection_, "POST", R"({"id":"u1"})");
  EXPECT_EQ(o.status, 409u);
  EXPECT_EQ(o.body, R"({"message":"an item with id 'u1' already exists"})");
  EXPECT_FALSE(o.gateway_error.has_value());
}

// GET, PUT (createdAt and createdBy kept), DELETE, then 404.
TEST_F(CrudTest, ItemLifecycle) {
  ASSERT_EQ(run(collection_, "POST", R"({"id":"u1","v":1})").status, 201u);
  clock_.advance(std::chrono::seconds(5));
  CrudOutcome got = run(item_, "GET", {}, "u1");
  EXPECT_EQ(got.status, 200u);
  CrudOutcome put = run(item_, "PUT", R"({"v":2})", "u1", {}, "application/json", "bob");
  ASSERT_EQ(put.status, 200u) << put.message;
  json::object item = object_of(put);
  EXPECT_EQ(item["v"], 2);
  EXPECT_EQ(item["createdBy"], "alice");
  EXPECT_EQ(item["createdAt"], "2026-11-24T03:14:55.000Z");
  EXPECT_EQ(item["updatedAt"], "2026-11-24T03:15:00.000Z");
  EXPECT_EQ(run(item_, "DELETE", {}, "u1").status, 204u);
  CrudOutcome gone = run(item_, "GET", {}, "u1");
  EXPECT_EQ(gone.status, 404u);
  EXPECT_EQ(gone.body, R"({"message":"no item with id 'u1'"})");
  EXPECT_EQ(run(item_, "DELETE", {}, "u1").status, 404u);
  EXPECT_EQ(run(item_, "PUT", R"({"v":3})", "u1").status, 404u);
}

// Lists page through every item with the opaque cursor; a bad cursor or limit is 400.
TEST_F(CrudTest, ListPagesAndRejectsBadParameters) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(run(collection_, "POST", "{\"id\":\"k" + std::to_string(i) + "\"}").status, 201u);
  }
  CrudOutcome first = run(collection_, "GET", {}, {}, "limit=2");
  ASSERT_EQ(first.status, 200u);
  json::object page = object_of(first);
  EXPECT_EQ(page["items"].as_array().size(), 2u);
  std::string next(page["next"].as_string());
  std::vector<std::string> ids;
  for (int guard = 0; guard < 10; ++guard) {
    CrudOutcome o = run(collection_, "GET", {}, {}, "limit=2&next=" + next);
    json::object p = object_of(o);
    for (auto& item : p["items"].as_array())
      ids.emplace_back(item.as_object()["id"].as_string());
    if (!p.contains("next")) break;
    next = std::string(p["next"].as_string());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"k2", "k3", "k4"}));

  for (std::string_view q : {"limit=0", "limit=1001", "limit=abc", "limit=-1"}) {
    CrudOutcome o = run(collection_, "GET", {}, {}, q);
    EXPECT_EQ(o.status, 400u) << q;
    EXPECT_EQ(o.gateway_error, ResponseType::kBadRequestParameters) << q;
    EXPECT_EQ(o.message, "limit must be an integer from 1 to 1000");
  }
  CrudOutcome bad = run(collection_, "GET", {}, {}, "next=garbage!");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.reason, "bad_cursor");
}

// Bodies must be JSON objects without the service's own attributes.
TEST_F(CrudTest, BodyErrorsAreSpecific) {
  struct Case {
    std::string body;
    std::string_view content_type;
    unsigned status;
    ResponseType type;
    std::string message;
  } cases[] = {
      {"{", "application/json", 400, ResponseType::kBadRequestBody,
       "the request body is not valid JSON (incomplete JSON)"},
      {"", "application/json", 400, ResponseType::kBadRequestBody,
       "the request body is empty; expected a JSON object"},
      {"[1]", "application/json", 400, ResponseType::kBadRequestBody,
       "the request body must be a JSON object, got an array"},
      {R"({"createdBy":"mallory"})", "application/json", 400, ResponseType::kBadRequestBody,
       "'createdBy' is set by the service; remove it from the body"},
      {R"({"id":7})", "application/json", 400, ResponseType::kBadRequestBody,
       "'id' must be a string, got a number"},
      {R"({"id":"a/b"})", "application/json", 400, ResponseType::kBadRequestBody,
       "id must not contain '/'"},
      {R"({"a":1})", "text/plain", 415, ResponseType::kUnsupportedMediaType,
       "Unsupported Media Type: expected Content-Type: application/json, got text/plain"},
      {"name=Yev", "application/x-www-form-urlencoded", 415, ResponseType::kUnsupportedMediaType,
       "Unsupported Media Type: expected Content-Type: application/json, got "
       "application/x-www-form-urlencoded"},
      // Beyond a double's range: read as infinity, it would be stored as `Infinity` (not JSON).
      {R"({"n":1e400})", "application/json", 400, ResponseType::kBadRequestBody,
       "the request body has a number out of range (beyond ±1.8e308): numbers must be finite"},
      {R"({"a":{"b":[1,-1E+400]}})", "application/json", 400, ResponseType::kBadRequestBody,
       "the request body has a number out of range (beyond ±1.8e308): numbers must be finite"},
      {R"({"big":")" + std::string(300, 'x') + "\"}", "application/json", 413,
       ResponseType::kRequestTooLarge, "Request Too Long: the item is 310 bytes; the limit is 200"},
  };
  for (const Case& c : cases) {
    CrudOutcome o = run(collection_, "POST", c.body, {}, {}, c.content_type);
    EXPECT_EQ(o.status, c.status) << c.body;
    EXPECT_EQ(o.gateway_error, c.type) << c.body;
    EXPECT_EQ(o.message, c.message) << c.body;
  }
}

// The largest doubles and integers past 64 bits are finite: stored, and served as JSON.
TEST_F(CrudTest, StoresNumbersDynamoDbCanHold) {
  CrudOutcome o =
      run(collection_, "POST", R"({"big":9.99e125,"wide":123456789012345678901234567890})");
  ASSERT_EQ(o.status, 201u) << o.message;
  json::object item = object_of(o);
  EXPECT_TRUE(item["big"].is_double());
  EXPECT_TRUE(item["wide"].is_double());
  // Past DynamoDB's range: refused with its message, as a DocumentClient put would be.
  CrudOutcome refused = run(collection_, "POST", R"({"max":1.7976931348623157e308})");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(refused.message,
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
}

// curl's default form type and vendor JSON types are read as JSON when the body is an object.
TEST_F(CrudTest, AcceptsJsonUnderOtherContentTypes) {
  for (std::string_view ct : {"", "application/json; charset=utf-8", "application/vnd.api+json",
                              "application/x-www-form-urlencoded"}) {
    EXPECT_EQ(run(collection_, "POST", R"({"a":1})", {}, {}, ct).status, 201u) << ct;
  }
}

// PUT may repeat the key but not change it.
TEST_F(CrudTest, ReplaceRefusesAnotherKey) {
  ASSERT_EQ(run(collection_, "POST", R"({"id":"u1"})").status, 201u);
  EXPECT_EQ(run(item_, "PUT", R"({"id":"u1","v":1})", "u1").status, 200u);
  CrudOutcome o = run(item_, "PUT", R"({"id":"u2"})", "u1");
  EXPECT_EQ(o.status, 400u);
  EXPECT_EQ(o.reason, "key_mismatch");
}

// owner_only: another principal's item is absent for them, lists hold only their own, and ids
// are always generated (a 409 would reveal someone else's item).
TEST_F(CrudTest, OwnerOnlyHidesOthersItems) {
  ASSERT_EQ(run(collection_, "POST", R"({"id":"a1"})", {}, {}, "application/json", "alice").status,
            201u);
  ASSERT_EQ(run(collection_, "POST", R"({"id":"b1"})", {}, {}, "application/json", "bob").status,
            201u);
  collection_.owner_only = item_.owner_only = true;
  CrudOutcome chosen =
      run(collection_, "POST", R"({"id":"a1"})", {}, {}, "application/json", "bob");
  EXPECT_EQ(chosen.status, 400u);
  EXPECT_EQ(chosen.reason, "key_not_allowed");
  EXPECT_EQ(run(item_, "GET", {}, "a1", {}, "application/json", "bob").status, 404u);
  EXPECT_EQ(run(item_, "DELETE", {}, "a1", {}, "application/json", "bob").status, 404u);
  EXPECT_EQ(run(item_, "GET", {}, "a1", {}, "application/json", "alice").status, 200u);
  json::object page = object_of(run(collection_, "GET", {}, {}, {}, "", "bob"));
  ASSERT_EQ(page["items"].as_array().size(), 1u);
  EXPECT_EQ(page["items"].as_array()[0].as_object()["id"], "b1");
  // No principal, no owner: refused before any storage access.
  for (const CrudRoute* route : {&collection_, &item_}) {
    for (std::string_view method : {"GET", "POST", "PUT", "DELETE"}) {
      CrudOutcome o = run(*route, method, "{}", "a1", {}, "application/json", "");
      EXPECT_EQ(o.status, 403u) << method;
      EXPECT_EQ(o.gateway_error, ResponseType::kAccessDenied) << method;
      EXPECT_EQ(o.reason, "no_principal") << method;
    }
  }
}

// Storage failures become 503 (retry may help) or 500, through DEFAULT_5XX, and 504 when a remote
// table timed out.
TEST_F(CrudTest, StorageFailuresAreGatewayResponses) {
  faulty_->fail(FaultyTable::kCreate, {StoreErrorCode::kUnavailable, "disk full"});
  CrudOutcome full = run(collection_, "POST", R"({"a":1})");
  EXPECT_EQ(full.status, 503u);
  EXPECT_EQ(full.gateway_error, ResponseType::kDefault5xx);
  EXPECT_EQ(full.message, "Service Unavailable: disk full");
  faulty_->fail(FaultyTable::kGet, {StoreErrorCode::kCorrupt, "database disk image is malformed"});
  CrudOutcome corrupt = run(item_, "GET", {}, "x");
  EXPECT_EQ(corrupt.status, 500u);
  EXPECT_EQ(corrupt.message, "Internal server error: the table's storage is damaged");
  faulty_->fail(FaultyTable::kList, {StoreErrorCode::kIoError, "disk I/O error"});
  CrudOutcome io = run(collection_, "GET");
  EXPECT_EQ(io.status, 500u);
  EXPECT_EQ(io.message, "Internal server error");  // the cause goes to the log
  // A remote table that did not answer in time is API Gateway's integration timeout.
  faulty_->fail(FaultyTable::kGet, {StoreErrorCode::kTimeout, "the endpoint did not answer"});
  CrudOutcome slow = run(item_, "GET", {}, "x");
  EXPECT_EQ(slow.status, 504u);
  EXPECT_EQ(slow.gateway_error, ResponseType::kIntegrationTimeout);
  EXPECT_EQ(slow.message, "Endpoint request timed out");
  faulty_->fail(FaultyTable::kCreate, {StoreErrorCode::kOverloaded, "The write queue is full"});
  EXPECT_EQ(run(collection_, "POST", R"({"a":1})").status, 503u);
}

// Methods outside the route's shape (an ANY route) are 405 with Allow.
TEST_F(CrudTest, OtherMethodsAreNotAllowed) {
  CrudOutcome o = run(collection_, "DELETE");
  EXPECT_EQ(o.status, 405u);
  EXPECT_EQ(o.allow, "GET, POST");
  EXPECT_EQ(run(item_, "POST", "{}", "x").allow, "GET, PUT, DELETE");
}

// Keys from the path are checked before any storage access.
TEST_F(CrudTest, BadPathKeysAreRejected) {
  EXPECT_EQ(run(item_, "GET", {}, std::string(1025, 'k')).status, 400u);
  EXPECT_EQ(run(item_, "GET", {}, "a\nb").status, 400u);
}

}  // namespace
}  // namespace gatehouse::gateway
