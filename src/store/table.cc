#include "store/table.h"

namespace gatehouse::store {

std::string_view to_string(StoreErrorCode code) {
  switch (code) {
    case StoreErrorCode::kNotFound:
      return "not found";
    case StoreErrorCode::kAlreadyExists:
      return "already exists";
    case StoreErrorCode::kTooLarge:
      return "too large";
    case StoreErrorCode::kInvalid:
      return "invalid";
    case StoreErrorCode::kBadCursor:
      return "bad cursor";
    case StoreErrorCode::kOverloaded:
      return "overloaded";
    case StoreErrorCode::kUnavailable:
      return "unavailable";
    case StoreErrorCode::kTimeout:
      return "timed out";
    case StoreErrorCode::kCorrupt:
      return "corrupt";
    case StoreErrorCode::kIoError:
      return "I/O error";
  }
  return "unknown";
}

}  // namespace gatehouse::store
