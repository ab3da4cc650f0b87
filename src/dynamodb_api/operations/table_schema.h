// The parts of a table's definition that CreateTable and UpdateTable both read: attribute
// definitions, key schemas, index names, projections and throughput, with DynamoDB's checks and
// texts, so both operations refuse the same mistakes the same way. Internal to dynamodb_api.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "dynamodb_api/request_reader.h"
#include "store/schema.h"

namespace gatehouse::dynamodb_api::detail {

inline constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// "S", "N" or "B" as a type (the reader checked the enum).
store::ValueType type_of(std::string_view name);

// AttributeDefinitions: names (1..255) and types; a name given twice is refused ("Attribute
// Name is duplicated: x"), as DynamoDB cannot tell which type was meant.
std::vector<store::KeyElement> read_attribute_definitions(RequestReader& r,
                                                          const boost::json::array& list);

struct RawKey {
  std::string name;
  std::string type;  // HASH or RANGE
};
// A KeySchema list's members (names and key types), constrained as DynamoDB constrains them;
// `member` names it in messages ("keySchema", "globalSecondaryIndexes.1.member.keySchema").
std::vector<RawKey> read_key_schema(RequestReader& r, const boost::json::array& list,
                                    const std::string& member);
// The structure of a key schema: HASH first, then an optional RANGE of another name.
std::optional<std::string> key_structure(const std::vector<RawKey>& keys);

// An index's IndexName: required, 3..255 characters of [a-zA-Z0-9_.-].
std::optional<std::string> read_index_name(RequestReader& r, const boost::json::object& index,
                                           const std::string& member);
// An index's Projection: its type, and for INCLUDE its NonKeyAttributes (strings of at most 255
// characters, none twice).
std::optional<store::Projection> read_projection(RequestReader& r, const boost::json::object* p,
                                                 const std::string& member);
// ProvisionedThroughput: both units, each at least 1.
std::optional<store::Throughput> read_throughput(RequestReader& r, const boost::json::object* t,
                                                 const std::string& member);

}  // namespace gatehouse::dynamodb_api::detail
