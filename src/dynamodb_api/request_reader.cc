#include "dynamodb_api/request_reader.h"

#include "store/json_codec.h"

namespace gatehouse::dynamodb_api {
namespace {

namespace json = boost::json;

// "ProvisionedThroughput.WriteCapacityUnits" -> "provisionedThroughput.writeCapacityUnits", as
// the older wording names members.
std::string lower_camel(std::string_view path) {
  std::string out(path);
  bool segment_start = true;
  for (char& c : out) {
    if (segment_start && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    segment_start = c == '.';
  }
  return out;
}

// DynamoDB caps a listed message at this many failures.
constexpr size_t kMaxListed = 10;

bool table_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

const json::value* RequestReader::find(std::string_view name, const json::object* parent) const {
  const json::value* v = (parent ? *parent : body_).if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

void RequestReader::shape(std::string message) {
  if (!serialization_) serialization_ = std::move(message);
}

std::optional<std::string> RequestReader::string(std::string_view name,
                                                 const json::object* parent) {
  const json::value* v = find(name, parent);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    shape(store::scalar_mismatch(*v, "String"));
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<int64_t> RequestReader::integer(std::string_view name, const json::object* parent) {
  const json::value* v = find(name, parent);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    shape("Numeric value (" + std::to_string(v->get_uint64()) + ") out of range of long");
    return std::nullopt;
  }
  if (v->is_string()) {
    shape("STRING_VALUE can not be converted to an Integer");
    return std::nullopt;
  }
  shape(store::scalar_mismatch(*v, "Integer"));
  return std::nullopt;
}

std::optional<bool> RequestReader::boolean(std::string_view name, const json::object* parent) {
  const json::value* v = find(name, parent);
  if (!v) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  if (v->is_string()) {
    shape("'" + std::string(v->get_string()) + "' can not be converted to an Boolean");
    return std::nullopt;
  }
  shape(store::scalar_mismatch(*v, "Boolean"));
  return std::nullopt;
}

const json::object* RequestReader::object(std::string_view name, const json::object* parent) {
  const json::value* v = find(name, parent);
  if (!v) return nullptr;
  if (!v->is_object()) {
    shape(v->is_array() ? "Start of list found where not expected" : "Expected map or null");
    return nullptr;
  }
  return &v->get_object();
}

const json::array* RequestReader::array(std::string_view name, const json::object* parent) {
  const json::value* v = find(name, parent);
  if (!v) return nullptr;
  if (!v->is_array()) {
    shape(v->is_object() ? "Start of structure or map found where not expected."
                         : "Expected list or null");
    return nullptr;
  }
  return &v->get_array();
}

std::optional<store::Item> RequestReader::item_value(const json::value& value) {
  auto read = store::read_item(value);
  if (read) {
    if (auto problem = store::attribute_names_problem(*read)) {
      if (!validation_) validation_ = std::move(*problem);
      return std::nullopt;
    }
    return std::move(*read);
  }
  if (read.error().serialization) {
    shape(read.error().message);
  } else if (!validation_) {
    validation_ = read.error().message;
  }
  return std::nullopt;
}

std::optional<store::Item> RequestReader::item(std::string_view name, const json::object* parent) {
  const json::value* v = find(name, parent);
  if (!v) return std::nullopt;
  return item_value(*v);
}

std::optional<std::string> RequestReader::enumeration(
    std::string_view name, std::initializer_list<std::string_view> allowed,
    const json::object* parent, std::string_view path) {
  auto value = string(name, parent);
  if (!value) return std::nullopt;
  for (std::string_view a : allowed) {
    if (*value == a) return value;
  }
  std::string set;
  for (std::string_view a : allowed) {
    if (!set.empty()) set += ", ";
    set += a;
  }
  enum_constraint(path.empty() ? name : path, "Member must satisfy enum value set: [" + set + "]",
                  *value);
  return std::nullopt;
}

std::optional<std::string> RequestReader::table_name(std::string_view name, TableNameOf of,
                                                     const json::object* parent) {
  const bool items = of == TableNameOf::kItems;
  auto value = string(name, parent);
  if (!value) {
    if (find(name, parent)) return std::nullopt;  // of another type: already a serialization error
    if (items)
      listed(name, "Member must not be null", std::nullopt);
    else if (!validation_)
      validation_ = "The parameter '" + std::string(name) +
                    "' is required but was not present in the request";
    return std::nullopt;
  }
  const size_t min_length = items ? 1 : 3;
  if (value->size() < min_length)
    constraint(name,
               "Member must have length greater than or equal to " + std::to_string(min_length),
               *value);
  // An empty name fails its length only, as DynamoDB reports it.
  bool pattern = true;
  for (char c : *value)
    pattern = pattern && table_name_char(c);
  if (!pattern)
    constraint(name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", *value);
  if (value->size() > 255)
    constraint(name, "Member must have length less than or equal to 255", *value);
  if (items && !failed() && value->size() < 3)
    validation_ = "TableName must be at least 3 characters long and at most 255 characters long";
  return failed() ? std::nullopt : value;
}

void RequestReader::constraint(std::string_view member, std::string_view what,
                               std::optional<std::string> value) {
  if (wording_ == Wording::kFirstConstraint) {
    if (!first_constraint_) {
      first_constraint_ = true;
      constraints_.push_back("Value at '" + std::string(member) +
                             "' failed to satisfy constraint: " + std::string(what));
    }
    return;
  }
  listed(member, what, std::move(value));
}

void RequestReader::listed(std::string_view member, std::string_view what,
                           std::optional<std::string> value) {
  if (constraints_.size() >= kMaxListed) return;
  constraints_.push_back((value ? "Value '" + *value + "'" : std::string("Value null")) + " at '" +
                         lower_camel(member) +
                         "' failed to satisfy constraint: " + std::string(what));
}

void RequestReader::invalid(std::string message) {
  if (validation_) return;
  validation_ = std::move(message);
}

std::optional<ApiError> RequestReader::error() const {
  if (serialization_) return serialization(*serialization_);
  if (!constraints_.empty()) {
    std::string out = std::to_string(constraints_.size()) + (constraints_.size() == 1
                                                                 ? " validation error detected: "
                                                                 : " validation errors detected: ");
    for (size_t i = 0; i < constraints_.size(); ++i) {
      if (i > 0) out += "; ";
      out += constraints_[i];
    }
    return validation(std::move(out));
  }
  if (validation_) return validation(*validation_);
  return std::nullopt;
}

}  // namespace gatehouse::dynamodb_api
