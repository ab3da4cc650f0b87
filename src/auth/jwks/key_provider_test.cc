#include "auth/jwks/key_provider.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>

#include "auth/jwt/test_common.h"

namespace gatehouse::auth::jwks {
namespace {

using namespace jwt::testing;  // NOLINT: test helpers
using std::chrono::seconds;

constexpr char kJwksUrl[] = "https://issuer.example/.well-known/jwks.json";
constexpr char kDiscoveryUrl[] = "https://issuer.example/.well-known/openid-configuration";

// A Fetcher that records requests and completes them only when the test says so, or at once
// when `synchronous` is set.
class FakeFetcher final : public Fetcher {
 public:
  struct Request {
    std::string url;
    FetchOptions options;
    Done done;
  };

  void fetch(const std::string& url, FetchOptions options, Done done) override {
    urls.push_back(url);
    if (synchronous) {
      done(answer(url));
      return;
    }
    pending.push_back({url, options, std::move(done)});
  }

  // Completes the oldest pending request.
  void complete(core::Result<std::string> body) {
    ASSERT_FALSE(pending.empty());
    Request request = std::move(pending.front());
    pending.pop_front();
    request.done(std::move(body));
  }

  // Synchronous mode: serve these documents by URL.
  core::Result<std::string> answer(const std::string& url) {
    if (url == kDiscoveryUrl) return discovery_body;
    if (url == kJwksUrl) return jwks_body;
    return core::unavailable(url + ": 404");
  }

  bool synchronous = false;
  std::string discovery_body;
  std::string jwks_body;
  std::vector<std::string> urls;
  std::deque<Request> pending;
};

class KeyProviderTest : public ::testing::Test {
 protected:
  KeyProviderTest() : jwks_(read_testdata("keys/jwks.json")) {}

  std::unique_ptr<KeyProvider> make(KeyProviderOptions::Kind kind = KeyProviderOptions::Kind::kJwks,
                                    std::string expected_issuer = "") {
    KeyProviderOptions options;
    options.kind = kind;
    options.url = kind == KeyProviderOptions::Kind::kJwks ? kJwksUrl : kDiscoveryUrl;
    options.expected_issuer = std::move(expected_issuer);
    options.timeout_ms = 1500;
    return std::make_unique<KeyProvider>(options, fetcher_, clock_, stats_);
  }
  // A JWKS with only the first committed key (rsa-1).
  std::string one_key_jwks() {
    size_t end = jwks_.find("},\n");
    return jwks_.substr(0, end + 1) + "]}";
  }

  std::string jwks_;
  FakeFetcher fetcher_;
  core::ManualClock clock_;
  KeyProviderStats stats_;
};

// Nothing is fetched before start(); start() fetches once and the result becomes the snapshot.
TEST_F(KeyProviderTest, FirstFetchPublishesSnapshot) {
  auto provider = make();
  provider->poll();
  EXPECT_TRUE(fetcher_.urls.empty());
  provider->start();
  provider->start();  // idempotent
  ASSERT_EQ(fetcher_.pending.size(), 1u);
  EXPECT_EQ(fetcher_.pending[0].url, kJwksUrl);
  EXPECT_EQ(fetcher_.pending[0].options.timeout_ms, 1500);
  EXPECT_EQ(fetcher_.pending[0].options.max_bytes, kDefaultMaxJwksBytes);
  EXPECT_FALSE(provider->ready());
  EXPECT_EQ(provider->snapshot(), nullptr);

  fetcher_.complete(jwks_);
  ASSERT_TRUE(provider->ready());
  EXPECT_EQ(provider->snapshot()->size(), 5u);
  EXPECT_EQ(provider->snapshot()->source(), kJwksUrl);
  EXPECT_EQ(stats_.fetch_ok.value(), 1u);
  EXPECT_TRUE(provider->last_error().ok());
}

// At most one fetch is in flight: poll() and on_kid_miss() wait for it.
TEST_F(KeyProviderTest, OneFetchInFlight) {
  auto provider = make();
  provider->start();
  clock_.advance(seconds(2));  // within the fetch's 1.5 s timeout plus 1 s grace
  provider->poll();
  EXPECT_FALSE(provider->on_kid_miss());
  EXPECT_EQ(fetcher_.urls.size(), 1u);
}

// A failed first fetch leaves no keys, counts a failure and retries after retry_interval_s.
TEST_F(KeyProviderTest, RetriesAfterFailure) {
  auto provider = make();
  provider->start();
  fetcher_.complete(core::unavailable("connection refused"));
  EXPECT_FALSE(provider->ready());
  EXPECT_EQ(stats_.fetch_failed.value(), 1u);
  EXPECT_EQ(provider->last_error().code(), core::Code::kUnavailable);
  EXPECT_NE(provider->last_error().message().find(kJwksUrl), std::string::npos);

  clock_.advance(seconds(29));
  provider->poll();
  EXPECT_TRUE(fetcher_.pending.empty());
  clock_.advance(seconds(1));
  provider->poll();
  ASSERT_EQ(fetcher_.pending.size(), 1u);
  fetcher_.complete(jwks_);
  EXPECT_TRUE(provider->ready());
  EXPECT_TRUE(provider->last_error().ok());
}

// After a success the next fetch waits refresh_interval_s, and its result replaces the set.
TEST_F(KeyProviderTest, RefreshesAfterInterval) {
  auto provider = make();
  provider->start();
  fetcher_.complete(one_key_jwks());
  std::shared_ptr<const KeySet> first = provider->snapshot();
  ASSERT_EQ(first->size(), 1u);

  clock_.advance(seconds(3599));
  provider->poll();
  EXPECT_TRUE(fetcher_.pending.empty());
  clock_.advance(seconds(1));
  provider->poll();
  ASSERT_EQ(fetcher_.pending.size(), 1u);
  fetcher_.complete(jwks_);
  EXPECT_EQ(provider->snapshot()->size(), 5u);
  EXPECT_EQ(first->size(), 1u);  // a reader's old snapshot stays intact
  EXPECT_EQ(stats_.fetch_ok.value(), 2u);
}

// A failed refresh keeps the last good set and retries sooner than a refresh.
TEST_F(KeyProviderTest, FailureKeepsLastGoodSet) {
  auto provider = make();
  provider->start();
  fetcher_.complete(jwks_);
  std::shared_ptr<const KeySet> good = provider->snapshot();

  clock_.advance(seconds(3600));
  provider->poll();
  fetcher_.complete(core::Status(core::Code::kDeadlineExceeded, "timeout"));
  EXPECT_EQ(provider->snapshot(), good);
  EXPECT_EQ(provider->last_error().code(), core::Code::kDeadlineExceeded);

  clock_.advance(seconds(30));
  provider->poll();
  EXPECT_EQ(fetcher_.pending.size(), 1u);
}

// Bad JSON or a set without usable keys keeps the old keys too, and says why.
TEST_F(KeyProviderTest, BadDocumentKeepsOldKeys) {
  auto provider = make();
  provider->start();
  fetcher_.complete(jwks_);
  std::shared_ptr<const KeySet> good = provider->snapshot();
  for (const char* bad : {"<html>502 Bad Gateway</html>", R"({"keys":[]})"}) {
    clock_.advance(seconds(3600));
    provider->poll();
    fetcher_.complete(std::string(bad));
    EXPECT_EQ(provider->snapshot(), good);
    EXPECT_EQ(provider->last_error().code(), core::Code::kInvalidArgument);
  }
  EXPECT_EQ(stats_.fetch_failed.value(), 2u);
}

// A kid miss fetches early, but at most once per refetch_min_interval_s since the last fetch.
// Callers that met an unknown kid wait for the refetch, also when they join one in flight, and are
// told when it ends; a refused refetch never calls back.
TEST_F(KeyProviderTest, KidMissWaitersAreCalledWhenTheFetchEnds) {
  auto provider = make();
  provider->start();
  fetcher_.complete(one_key_jwks());
  clock_.advance(seconds(31));
  int called = 0;
  EXPECT_TRUE(provider->on_kid_miss([&] { ++called; }));
  EXPECT_TRUE(provider->on_kid_miss([&] { ++called; }));  // joins the fetch in flight
  EXPECT_EQ(fetcher_.pending.size(), 1u);
  EXPECT_EQ(called, 0);
  fetcher_.complete(jwks_);
  EXPECT_EQ(called, 2);
  EXPECT_EQ(provider->snapshot()->size(), 5u);
  EXPECT_FALSE(provider->on_kid_miss([&] { ++called; }));  // too soon: refused
  EXPECT_EQ(called, 2);
}

// A failed refetch still releases its waiters (they then fail with the old keys).
TEST_F(KeyProviderTest, KidMissWaitersReleasedOnFailure) {
  auto provider = make();
  provider->start();
  fetcher_.complete(one_key_jwks());
  clock_.advance(seconds(31));
  int called = 0;
  EXPECT_TRUE(provider->on_kid_miss([&] { ++called; }));
  fetcher_.complete(core::unavailable("down"));
  EXPECT_EQ(called, 1);
  EXPECT_EQ(provider->snapshot()->size(), 1u);
}

TEST_F(KeyProviderTest, KidMissRefetchIsRateLimited) {
  auto provider = make();
  provider->start();
  fetcher_.complete(one_key_jwks());

  clock_.advance(seconds(10));
  EXPECT_FALSE(provider->on_kid_miss());  // the set is 10 s old
  clock_.advance(seconds(20));
  EXPECT_TRUE(provider->on_kid_miss());
  EXPECT_EQ(stats_.kid_miss_refetches.value(), 1u);
  fetcher_.complete(jwks_);
  EXPECT_EQ(provider->snapshot()->size(), 5u);

  clock_.advance(seconds(1));
  for (int i = 0; i < 100; ++i)
    EXPECT_FALSE(provider->on_kid_miss());
  EXPECT_EQ(fetcher_.urls.size(), 2u);
  EXPECT_EQ(stats_.kid_miss_refetches.value(), 1u);
  // The early fetch also moved the periodic refresh: it is due an hour after it.
  clock_.advance(seconds(3598));
  provider->poll();
  EXPECT_TRUE(fetcher_.pending.empty());
  clock_.advance(seconds(1));
  provider->poll();
  EXPECT_EQ(fetcher_.pending.size(), 1u);
}

// Discovery: the document is fetched first, then its jwks_uri.
TEST_F(KeyProviderTest, DiscoveryFetchesJwksUri) {
  auto provider = make(KeyProviderOptions::Kind::kDiscovery, kIssuer);
  provider->start();
  ASSERT_EQ(fetcher_.pending.size(), 1u);
  EXPECT_EQ(fetcher_.pending[0].url, kDiscoveryUrl);
  fetcher_.complete(read_testdata("keys/openid-configuration.json"));
  ASSERT_EQ(fetcher_.pending.size(), 1u);
  EXPECT_EQ(fetcher_.pending[0].url, kJwksUrl);
  EXPECT_FALSE(provider->ready());
  fetcher_.complete(jwks_);
  ASSERT_TRUE(provider->ready());
  EXPECT_EQ(provider->snapshot()->source(), kJwksUrl);
  EXPECT_EQ(stats_.fetch_ok.value(), 1u);
}

// Discovery fails on a bad document or an issuer other than the configured one.
TEST_F(KeyProviderTest, DiscoveryChecksDocumentAndIssuer) {
  auto provider = make(KeyProviderOptions::Kind::kDiscovery, "https://other.example/");
  provider->start();
  fetcher_.complete(read_testdata("keys/openid-configuration.json"));
  EXPECT_TRUE(fetcher_.pending.empty());
  EXPECT_EQ(provider->last_error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(provider->last_error().message().find("not the configured"), std::string::npos);

  clock_.advance(seconds(30));
  provider->poll();
  fetcher_.complete(std::string(R"({"issuer":"x","jwks_uri":"file:///etc/passwd"})"));
  EXPECT_NE(provider->last_error().message().find("http(s)"), std::string::npos);
  EXPECT_EQ(stats_.fetch_failed.value(), 2u);
  EXPECT_FALSE(provider->ready());
}

// A Fetcher that calls back inside fetch() works (no deadlock), for both stages.
TEST_F(KeyProviderTest, SynchronousFetcher) {
  fetcher_.synchronous = true;
  fetcher_.discovery_body = read_testdata("keys/openid-configuration.json");
  fetcher_.jwks_body = jwks_;
  auto provider = make(KeyProviderOptions::Kind::kDiscovery);
  provider->start();
  EXPECT_TRUE(provider->ready());
  EXPECT_EQ(fetcher_.urls, (std::vector<std::string>{kDiscoveryUrl, kJwksUrl}));
}

// A fetch the Fetcher never completes is abandoned, counted as failed, and its late completion
// is dropped.
TEST_F(KeyProviderTest, AbandonsFetchThatNeverCompletes) {
  auto provider = make();
  provider->start();
  clock_.advance(seconds(2));
  provider->poll();  // 1.5 s + 1 s grace not yet over
  EXPECT_EQ(stats_.fetch_failed.value(), 0u);
  clock_.advance(std::chrono::milliseconds(600));
  provider->poll();
  EXPECT_EQ(stats_.fetch_failed.value(), 1u);
  EXPECT_EQ(provider->last_error().code(), core::Code::kDeadlineExceeded);
  fetcher_.complete(jwks_);  // too late
  EXPECT_FALSE(provider->ready());
  clock_.advance(seconds(30));
  provider->poll();
  fetcher_.complete(jwks_);
  EXPECT_TRUE(provider->ready());
}

// A completion after the provider is gone is dropped safely.
TEST_F(KeyProviderTest, CompletionAfterDestructionIsDropped) {
  auto provider = make();
  provider->start();
  provider.reset();
  fetcher_.complete(jwks_);
  EXPECT_EQ(stats_.fetch_ok.value(), 0u);
}

// A static source is ready at once and never fetches.
TEST(KeyProviderStatic, ServesGivenKeys) {
  auto set = parse_pem(read_testdata("keys/rsa.pub.pem"), "rsa.pub.pem");
  ASSERT_TRUE(set.has_value());
  KeyProvider provider(std::make_shared<const KeySet>(std::move(*set)));
  EXPECT_TRUE(provider.ready());
  provider.start();
  provider.poll();
  EXPECT_FALSE(provider.on_kid_miss());
  EXPECT_EQ(provider.snapshot()->source(), "rsa.pub.pem");
}

// A static HMAC source: the caller builds the KeySet from the configured secret.
TEST(KeyProviderStatic, ServesSharedSecret) {
  auto key = jwt::Key::from_secret(kHs256Secret, std::nullopt, jwt::Alg::kHS256);
  ASSERT_TRUE(key.has_value());
  KeyProvider provider(
      std::make_shared<const KeySet>(std::vector<jwt::Key>{*key}, "shared secret"));
  jwt::VerifyOptions opts = default_options();
  auto r = jwt::verify(read_token("hs256.jwt"), provider.snapshot()->keys(), opts, kNow);
  EXPECT_TRUE(r.has_value()) << auth::to_string(r.error());
}

}  // namespace
}  // namespace gatehouse::auth::jwks
