#include "gateway/usage_plans.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace gatehouse::gateway {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using Verdict = UsagePlans::Verdict;

config::UsagePlan plan(std::string name, std::vector<std::pair<std::string, std::string>> keys) {
  config::UsagePlan p;
  p.name = std::move(name);
  for (auto& [key, env] : keys)
    p.api_keys.push_back({key, {config::SecretRef::Kind::kEnv, env}});
  return p;
}

class UsagePlansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("GH_TEST_KEY_A", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
    setenv("GH_TEST_KEY_B", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 1);
    setenv("GH_TEST_KEY_SHORT", "short", 1);
  }
  core::MonoTime t0{};
  // Monday 2026-12-07 10:00 UTC.
  core::SystemTime monday = core::SystemTime{} + std::chrono::seconds(1796637600);
};

TEST_F(UsagePlansTest, OnlyAKeysValueIsAdmitted) {
  auto plans = UsagePlans::build({plan("basic", {{"a", "GH_TEST_KEY_A"}})}, nullptr);
  ASSERT_TRUE(plans) << plans.error().message();
  EXPECT_EQ((*plans)->admit("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", t0, monday).verdict,
            Verdict::kAllowed);
  EXPECT_EQ((*plans)->admit("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", t0, monday).key, "a");
  EXPECT_EQ((*plans)->admit("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", t0, monday).verdict,
            Verdict::kInvalidKey);
  EXPECT_EQ((*plans)->admit("", t0, monday).verdict, Verdict::kInvalidKey);
  EXPECT_EQ((*plans)->admit(std::string(UsagePlans::kMaxKeyBytes + 1, 'a'), t0, monday).verdict,
            Verdict::kInvalidKey);
  EXPECT_EQ((*plans)->invalid().value(), 3u);
}

TEST_F(UsagePlansTest, ShortOrSharedValuesAreRefusedByName) {
  auto short_key = UsagePlans::build({plan("p", {{"s", "GH_TEST_KEY_SHORT"}})}, nullptr);
  ASSERT_FALSE(short_key);
  EXPECT_NE(short_key.error().message().find("API key s: its value is shorter than 20"),
            std::string::npos);
  EXPECT_EQ(short_key.error().message().find("short\""), std::string::npos);  // never the value
  auto shared = UsagePlans::build(
      {plan("p", {{"a", "GH_TEST_KEY_A"}}), plan("q", {{"a2", "GH_TEST_KEY_A"}})}, nullptr);
  ASSERT_FALSE(shared);
  EXPECT_NE(shared.error().message().find("API key a2 has the value of another key"),
            std::string::npos);
}

TEST_F(UsagePlansTest, EachKeyHasItsOwnBucketAndQuota) {
  auto p = plan("basic", {{"a", "GH_TEST_KEY_A"}, {"b", "GH_TEST_KEY_B"}});
  p.throttle = config::Throttle{0, 3};
  p.quota = config::UsagePlan::Quota{2, config::UsagePlan::Period::kDay};
  auto plans = UsagePlans::build({p}, nullptr);
  ASSERT_TRUE(plans);
  const std::string a(30, 'a');
  EXPECT_EQ((*plans)->admit(a, t0, monday).verdict, Verdict::kAllowed);
  EXPECT_EQ((*plans)->admit(a, t0, monday).verdict, Verdict::kAllowed);
  EXPECT_EQ((*plans)->admit(a, t0, monday).verdict, Verdict::kQuotaExceeded);
  EXPECT_EQ((*plans)->admit(a, t0, monday).verdict, Verdict::kThrottled);  // the burst is spent
  EXPECT_EQ((*plans)->admit(std::string(30, 'b'), t0, monday).verdict, Verdict::kAllowed);
}

TEST_F(UsagePlansTest, AQuotaStartsAgainWithItsPeriodAndOutlivesAReload) {
  auto p = plan("basic", {{"a", "GH_TEST_KEY_A"}});
  p.quota = config::UsagePlan::Quota{1, config::UsagePlan::Period::kWeek};
  auto first = UsagePlans::build({p}, nullptr);
  ASSERT_TRUE(first);
  const std::string a(30, 'a');
  EXPECT_EQ((*first)->admit(a, t0, monday).verdict, Verdict::kAllowed);
  // A reload with the same plan: the week's count goes on.
  auto second = UsagePlans::build({p}, first->get());
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)->admit(a, t0, monday + hours(24 * 6 + 13)).verdict,
            Verdict::kQuotaExceeded);  // Sunday 23:00
  EXPECT_EQ((*second)->admit(a, t0, monday + hours(24 * 7)).verdict, Verdict::kAllowed);
  EXPECT_EQ((*second)->stats().front()->allowed.value(), 2u);
  // A month's period: a new month, a new count.
  p.quota->period = config::UsagePlan::Period::kMonth;
  auto third = UsagePlans::build({p}, second->get());
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)->admit(a, t0, monday).verdict, Verdict::kAllowed);
  EXPECT_EQ((*third)->admit(a, t0, monday + hours(24 * 20)).verdict, Verdict::kQuotaExceeded);
  EXPECT_EQ((*third)->admit(a, t0, monday + hours(24 * 25)).verdict, Verdict::kAllowed);  // Jan
}

}  // namespace
}  // namespace gatehouse::gateway
