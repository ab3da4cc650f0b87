// Header names as the events and the proxy response compare them: case-insensitively (ASCII), in
// maps that keep the casing of a name's first occurrence and its values in arrival order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "functions/events/request_facts.h"

namespace gatehouse::functions::events::detail {

inline bool iequals(std::string_view a, std::string_view b) {
  return header_name_equals(a, b);
}

// FNV-1a over the name in lower case.
struct CaseInsensitiveHash {
  size_t operator()(std::string_view s) const {
    uint64_t h = 14695981039346656037ull;
    for (char c : s) {
      char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      h ^= static_cast<uint8_t>(lower);
      h *= 1099511628211ull;
    }
    return static_cast<size_t>(h);
  }
};
struct CaseInsensitiveEqual {
  bool operator()(std::string_view a, std::string_view b) const { return iequals(a, b); }
};
template <class V>
using CaseInsensitiveMap =
    std::unordered_map<std::string_view, V, CaseInsensitiveHash, CaseInsensitiveEqual>;

// One name of a single-value/multi-value map pair and all its values, in arrival order.
template <class S>
struct NamedValues {
  S name;
  std::vector<S> values;
};

}  // namespace gatehouse::functions::events::detail
