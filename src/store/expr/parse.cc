// ProjectionExpression and the unused-placeholder check (parse.h); conditions and updates are in
// parse_condition.cc and parse_update.cc.
#include "store/expr/parse.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "store/expr/detail/checks.h"
#include "store/expr/detail/syntax.h"

namespace gatehouse::store::expr {
namespace {

constexpr std::string_view kLabel = "ProjectionExpression";

// Java's String.hashCode: over UTF-16 code units, wrapping.
int32_t java_hash(std::string_view s) {
  uint32_t h = 0;
  auto add = [&](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    uint32_t cp = b;
    size_t n = 1;
    if (b >= 0xF0 && i + 3 < s.size()) {
      cp = ((b & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      n = 4;
    } else if (b >= 0xE0 && i + 2 < s.size()) {
      cp = ((b & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      n = 3;
    } else if (b >= 0xC0 && i + 1 < s.size()) {
      cp = ((b & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      n = 2;
    }
    if (cp >= 0x10000) {
      add(0xD800 + ((cp - 0x10000) >> 10));
      add(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      add(cp);
    }
    i += n;
  }
  return static_cast<int32_t>(h);
}

// `unused` in the order a Java HashSet made from the `total` keys of the map would list them,
// which is the order DynamoDB prints them in (bucket by spread hash; within a bucket, the order
// the keys went in, here the map's).
std::string java_set_text(std::vector<std::string_view> unused, size_t total) {
  size_t want = std::max<size_t>(static_cast<size_t>(static_cast<float>(total) / 0.75f) + 1, 16);
  uint32_t capacity = 1;
  while (capacity < want)
    capacity *= 2;
  auto bucket = [&](std::string_view key) {
    auto h = static_cast<uint32_t>(java_hash(key));
    return (h ^ (h >> 16)) & (capacity - 1);
  };
  std::stable_sort(unused.begin(), unused.end(),
                   [&](std::string_view a, std::string_view b) { return bucket(a) < bucket(b); });
  std::string out = "{";
  for (size_t i = 0; i < unused.size(); ++i) {
    if (i > 0) out += ", ";
    out += unused[i];
  }
  out += '}';
  return out;
}

template <class Map, class Used>
std::optional<std::string> unused_keys(const Map* map, const Used& used, std::string_view what) {
  if (!map) return std::nullopt;
  std::vector<std::string_view> unused;
  for (const auto& [key, value] : *map) {
    if (used.find(key) == used.end()) unused.push_back(key);
  }
  if (unused.empty()) return std::nullopt;
  return "Value provided in " + std::string(what) +
         " unused in expressions: keys: " + java_set_text(std::move(unused), map->size());
}

}  // namespace

core::Result<Projection, std::string> parse_projection(std::string_view text, const Context& ctx,
                                                       Usage& usage) {
  if (auto problem = detail::text_problem(kLabel, text)) return core::unexpected(*problem);
  detail::Syntax s{text, detail::tokenize(text)};
  auto raw = detail::parse_projection_tree(s);
  if (!raw) return core::unexpected(detail::invalid(kLabel, raw.error()));
  auto fail = [&](const std::string& m) { return core::unexpected(detail::invalid(kLabel, m)); };

  detail::Checker c(s, ctx);
  for (const detail::Node& path : *raw) {
    if (auto m = c.reserved_word(path)) return fail(*m);
  }
  for (const detail::Node& path : *raw) {
    if (auto m = c.undefined_placeholder(path)) return fail(*m);
  }
  Projection out;
  out.paths.reserve(raw->size());
  for (const detail::Node& path : *raw)
    out.paths.push_back(c.path(path));
  if (auto m = detail::overlapping_paths(out.paths)) return fail(*m);
  c.record(usage);
  return out;
}

std::optional<std::string> unused_placeholders(const Context& ctx, const Usage& usage) {
  if (auto m = unused_keys(ctx.names, usage.names, "ExpressionAttributeNames")) return m;
  return unused_keys(ctx.values, usage.values, "ExpressionAttributeValues");
}

}  // namespace gatehouse::store::expr
