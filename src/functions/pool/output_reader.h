// A worker's stdout or stderr, read line by line: what the pool logs with the function's name and
// the request id of the invocation running at the time.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <functional>
#include <string_view>

namespace gatehouse::functions::pool {

// Longest line kept whole; longer output is handed on in pieces of this size.
inline constexpr size_t kMaxLogLine = 16 * 1024;

// Reads `fd` (a pipe's read end, owned and closed from now on) on `executor` until EOF or an
// error, calling `emit` with each line without its '\n', and with the unterminated rest at the
// end. Keeps itself alive until then; `emit` runs on the executor's thread.
void read_lines(boost::asio::any_io_executor executor, int fd,
                std::function<void(std::string_view)> emit);

}  // namespace gatehouse::functions::pool
