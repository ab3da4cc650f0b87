#include "observability/metrics.h"

#include <gtest/gtest.h>

namespace gatehouse::observability {
namespace {

// Counters and gauges render with HELP/TYPE lines and escaped labels.
TEST(Registry, RendersCountersAndGauges) {
  core::Counter c;
  c.inc(3);
  core::Gauge g;
  g.set(-2);
  Registry r;
  r.add_counter("gh_requests_total", "Requests.", {{"route", "GET /a\"b"}}, &c);
  r.add_gauge("gh_open", "Open.", {}, &g);
  std::string text = r.render();
  EXPECT_NE(text.find("# TYPE gh_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("gh_requests_total{route=\"GET /a\\\"b\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("gh_open -2\n"), std::string::npos);
}

// Histograms render cumulative buckets in seconds, a +Inf bucket, sum and count.
TEST(Registry, RendersHistogramCumulatively) {
  core::Histogram h;
  h.observe_us(40);
  h.observe_us(700);
  h.observe_us(10'000'000);
  Registry r;
  r.add_histogram("gh_latency_seconds", "Latency.", {}, &h);
  std::string text = r.render();
  EXPECT_NE(text.find("gh_latency_seconds_bucket{le=\"5e-05\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("gh_latency_seconds_bucket{le=\"0.001\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("gh_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("gh_latency_seconds_count 3\n"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::observability
