// usage_plans: each plan's throttle and quota, and the API keys that belong to it; api keys'
// values are secret references, resolved when the gateway is built.
#include <algorithm>
#include <array>
#include <string_view>

#include "config/detail/sections.h"

namespace gatehouse::config::detail {
namespace {

bool is_key_name_char(char ch) {
  return is_alnum(ch) || ch == '_' || ch == '-';
}

core::Status parse_quota(const Ctx& c, const Field& f, UsagePlan::Quota* out) {
  auto m = MapReader::open(c, f, {"limit", "period"});
  if (!m) return m.error();
  const Field* limit = m->get("limit");
  if (limit == nullptr) return m->missing(c, "limit", "; expected requests per period, e.g. 10000");
  GH_CONFIG_TRY(read_number(c, limit, 1, 1'000'000'000, &out->limit));
  const Field* period = m->get("period");
  if (period == nullptr) return m->missing(c, "period", "; expected day, week or month");
  static constexpr std::array<std::string_view, 3> kPeriods = {"day", "week", "month"};
  size_t i = 0;
  GH_CONFIG_TRY(read_enum(c, *period, kPeriods, &i));
  out->period = static_cast<UsagePlan::Period>(i);
  return {};
}

core::Status parse_plan(const Ctx& c, const std::string& name, const Field& f,
                        std::vector<std::string>* key_names, UsagePlan* out) {
  if (!all_of(name, is_key_name_char)) {
    return fail_key(c, f,
                    quote(name) +
                        " is not a valid usage plan name; expected letters, digits, '_' "
                        "and '-'");
  }
  auto m = MapReader::open(c, f, {"throttle", "quota", "api_keys"});
  if (!m) return m.error();
  out->name = name;
  out->pos = source_pos(c, f.mark);
  if (const Field* t = m->get("throttle")) {
    GH_CONFIG_TRY(parse_throttle(c, *t, &out->throttle.emplace()));
  }
  if (const Field* q = m->get("quota")) GH_CONFIG_TRY(parse_quota(c, *q, &out->quota.emplace()));
  const Field* keys = m->get("api_keys");
  if (keys == nullptr) {
    return m->missing(c, "api_keys", "; expected e.g. {partner-a: {value: {env: PARTNER_A_KEY}}}");
  }
  auto km = MapReader::open_any(c, *keys);
  if (!km) return km.error();
  if (km->entries().empty()) return fail(c, *keys, "a plan needs at least one API key");
  for (const auto& [key_name, field] : km->entries()) {
    if (!all_of(key_name, is_key_name_char)) {
      return fail_key(
          c, field,
          quote(key_name) + " is not a valid API key name; expected letters, digits, '_' and '-'");
    }
    if (std::find(key_names->begin(), key_names->end(), key_name) != key_names->end()) {
      return fail_key(c, field,
                      "API key " + quote(key_name) +
                          " is in another plan too; a key belongs to "
                          "one plan");
    }
    key_names->push_back(key_name);
    auto vm = MapReader::open(c, field, {"value"});
    if (!vm) return vm.error();
    const Field* value = vm->get("value");
    if (value == nullptr) {
      return vm->missing(c, "value", "; expected {env: VARIABLE} or {file: path}, never inline");
    }
    ApiKey key;
    key.name = key_name;
    GH_CONFIG_TRY(parse_secret_ref(c, *value, &key.value));
    out->api_keys.push_back(std::move(key));
  }
  return {};
}

}  // namespace

core::Status parse_usage_plans(const Ctx& c, const Field& f, std::vector<UsagePlan>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  std::vector<std::string> key_names;
  for (const auto& [name, field] : m->entries()) {
    UsagePlan plan;
    GH_CONFIG_TRY(parse_plan(c, name, field, &key_names, &plan));
    out->push_back(std::move(plan));
  }
  return {};
}

}  // namespace gatehouse::config::detail
