#include "gateway/key_fetch_report.h"

#include <spdlog/spdlog.h>

namespace gatehouse::gateway {

void report_key_fetches(AuthorizerRuntime& a, core::MonoTime now) {
  if (a.url_keys == nullptr) return;
  KeyFetchReport& r = a.key_fetch_report;
  uint64_t failed = a.key_stats.fetch_failed.value();
  uint64_t ok = a.key_stats.fetch_ok.value();
  if (ok != r.ok_seen) {
    r.ok_seen = ok;
    if (r.failing) {
      spdlog::info("authorizer {}: keys fetched from {} again after {} failed fetch{}", a.name,
                   a.keys_url, r.failures_in_run, r.failures_in_run == 1 ? "" : "es");
      r.failing = false;
      r.failures_in_run = 0;
      r.unreported = 0;
    }
  }
  if (failed == r.failed_seen) return;
  uint64_t fresh = failed - r.failed_seen;
  r.failed_seen = failed;
  r.failures_in_run += fresh;
  r.unreported += fresh;
  if (r.failing && now - r.last_line < kKeyFetchReportInterval) return;
  // A failure after the last success is news at once; later ones are summed up once a minute.
  r.failing = true;
  r.last_line = now;
  std::string error = a.url_keys->last_error().message();
  bool have_keys = a.url_keys->ready();
  spdlog::warn("authorizer {}: key fetch failed{}: {}; {}", a.name,
               r.unreported > 1 ? " (" + std::to_string(r.unreported) + " times)" : std::string(),
               error.empty() ? a.keys_url : error,
               have_keys ? "verifying with the last key set fetched"
                         : "no keys yet: its requests are answered 500 until a fetch succeeds");
  r.unreported = 0;
}

}  // namespace gatehouse::gateway
