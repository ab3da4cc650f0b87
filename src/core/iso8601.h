// Instants as ISO 8601 UTC text with milliseconds ("2026-11-24T10:00:00.123Z"), as the crud
// integration shows and stores its timestamps, and back.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::core {

// "2026-11-24T10:00:00.123Z"; years outside 0000..9999 give "0000-00-00T00:00:00.000Z".
std::string format_iso8601_ms(int64_t unix_ms);
// The instant of text in exactly that form; nullopt for any other text.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

}  // namespace gatehouse::core
