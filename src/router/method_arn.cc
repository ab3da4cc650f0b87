#include "router/method_arn.h"

#include "core/text.h"

namespace gatehouse::router {

MethodArnPrefix::MethodArnPrefix(std::string_view region, std::string_view account_id,
                                 std::string_view api_id, std::string_view stage) {
  constexpr std::string_view kHead = "arn:aws:execute-api:";
  prefix_.reserve(kHead.size() + region.size() + account_id.size() + api_id.size() + stage.size() +
                  4);
  prefix_ += kHead;
  prefix_ += region;
  prefix_ += ':';
  prefix_ += account_id;
  prefix_ += ':';
  prefix_ += api_id;
  prefix_ += '/';
  prefix_ += stage;
  prefix_ += '/';
}

std::string_view to_string(MethodArnError e) {
  switch (e) {
    case MethodArnError::kTooLong:
      return "method_arn_too_long";
    case MethodArnError::kBadPath:
      return "bad_path";
    case MethodArnError::kEncodedSeparator:
      return "encoded_separator";
  }
  return "unknown";
}

bool holds_encoded_separator(std::string_view raw) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') return true;
    if (raw[i] != '%' || i + 2 >= raw.size()) continue;
    char hi = raw[i + 1], lo = static_cast<char>(raw[i + 2] | 0x20);  // lower-cased letter
    if ((hi == '2' && lo == 'f') || (hi == '5' && lo == 'c')) return true;
  }
  return false;
}

core::Result<std::string, MethodArnError> method_arn(const MethodArnPrefix& prefix,
                                                     std::string_view method,
                                                     std::string_view raw_path) {
  if (raw_path.empty() || raw_path[0] != '/') return MethodArnError::kBadPath;
  std::string_view path = raw_path.substr(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);  // as routing ignores it
  if (holds_encoded_separator(path)) return MethodArnError::kEncodedSeparator;
  size_t decoded = core::percent_decoded_size(path);
  if (decoded == std::string_view::npos) return MethodArnError::kBadPath;
  size_t total = prefix.str().size() + method.size() + 1 + decoded;
  if (total > kMaxMethodArnBytes) return MethodArnError::kTooLong;
  std::string arn;
  arn.reserve(total);
  arn += prefix.str();
  arn += method;
  arn += '/';
  core::append_percent_decoded(path, arn);
  return arn;
}

}  // namespace gatehouse::router
