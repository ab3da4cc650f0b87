#include "store/sqlite/detail/engine_support.h"

#include <boost/json/parse.hpp>

#include "store/json_codec.h"

namespace gatehouse::store::sqlite::detail {

DbError db_error(const StoreError& error) {
  switch (error.code) {
    case StoreErrorCode::kOverloaded:
      return {DbErrorKind::kThrottled, "The write queue is full; retry later", {}, {}};
    case StoreErrorCode::kUnavailable:
      return {DbErrorKind::kUnavailable, error.message, {}, {}};
    case StoreErrorCode::kCorrupt:
      return {DbErrorKind::kDamaged, error.message, {}, {}};
    default:
      return {DbErrorKind::kInternal, error.message, {}, {}};
  }
}

DbError table_not_found() {
  return {DbErrorKind::kResourceNotFound, "Requested resource not found", {}, {}};
}

DbError damaged_item() {
  return {
      DbErrorKind::kDamaged, "a stored item cannot be read: the database file is damaged", {}, {}};
}

DbError read_failure(const StoreError& error, const TableEntry& table) {
  if (table.dropped.load(std::memory_order_relaxed)) return table_not_found();
  return db_error(error);
}

std::string encode_item(const Item& item) {
  std::string out;
  append_item_json(out, item);
  return out;
}

bool decode_item(std::string_view json, Item& out) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(json, ec);
  if (ec) return false;
  auto item = read_item(parsed);
  if (!item) return false;
  out = std::move(*item);
  return true;
}

}  // namespace gatehouse::store::sqlite::detail
