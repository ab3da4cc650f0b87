// The IMF-fixdate for the Date header, formatted at most once per second per thread.
#pragma once

#include <string_view>

namespace gatehouse::http::detail {

// e.g. "Tue, 24 Nov 2026 10:00:00 GMT". The view stays valid until the next call on this thread.
std::string_view http_date();

}  // namespace gatehouse::http::detail
