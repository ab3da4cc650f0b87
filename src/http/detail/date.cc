#include "http/detail/date.h"

#include <cstdio>
#include <ctime>

namespace gatehouse::http::detail {

std::string_view http_date() {
  // The Date header is wall-clock by definition; it is not used in any decision, so it reads the
  // OS clock directly rather than the injected one.
  thread_local std::time_t cached_second = 0;
  thread_local char buf[32];
  thread_local size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return {buf, len};
}

}  // namespace gatehouse::http::detail
