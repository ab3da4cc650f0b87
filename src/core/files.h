// Reading small files whole (key material, JWKS, config), with a size cap so a wrong path to a
// huge file fails fast with a clear error instead of exhausting memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse::core {

// The file's bytes. Errors: kNotFound (no such file), kIoError (unreadable, a directory),
// kResourceExhausted (larger than max_bytes). Messages name the path.
Result<std::string> read_file(const std::string& path, size_t max_bytes);

// Reads exactly `size` bytes from the open descriptor `fd` (which the caller keeps and closes),
// for callers that check the open file first (e.g. its permissions). `what` names the file in
// errors, e.g. "secret file 'x'". Errors: kIoError (read failed, or the file got shorter).
Result<std::string> read_exactly(int fd, size_t size, std::string_view what);

}  // namespace gatehouse::core
