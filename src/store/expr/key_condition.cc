#include "store/expr/key_condition.h"

namespace gatehouse::store::expr {
namespace {

// The empty-key messages: DynamoDB refuses "" and empty binaries as key values.
std::optional<std::string> empty_key(const AttributeValue& v, std::string_view key) {
  std::string_view kind;
  if (v.type() == ValueType::kS && v.as_string().empty()) kind = "string";
  if (v.type() == ValueType::kB && v.as_binary().empty()) kind = "binary";
  if (kind.empty()) return std::nullopt;
  return "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty " +
         std::string(kind) + " value. Key: " + std::string(key);
}

// The first key attribute an operand's paths name.
std::optional<std::string> key_in(const Operand& o, std::string_view hash,
                                  std::optional<std::string_view> range) {
  bool has_path = o.kind == Operand::Kind::kPath || o.kind == Operand::Kind::kIfNotExists;
  if (has_path && (o.path.attribute() == hash || (range && o.path.attribute() == *range))) {
    return o.path.attribute();
  }
  for (const Operand& arg : o.args) {
    if (auto k = key_in(arg, hash, range)) return k;
  }
  return std::nullopt;
}

std::optional<std::string> key_in(const Condition& c, std::string_view hash,
                                  std::optional<std::string_view> range) {
  for (const Operand& o : c.operands) {
    if (auto k = key_in(o, hash, range)) return k;
  }
  for (const Condition& child : c.children) {
    if (auto k = key_in(child, hash, range)) return k;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> key_attribute_in_filter(const Condition& filter, KeyAttribute hash,
                                                   std::optional<KeyAttribute> range) {
  // The partition key is looked for first, then the sort key.
  auto key = key_in(filter, hash.name, std::nullopt);
  if (!key && range) key = key_in(filter, range->name, std::nullopt);
  if (!key) return std::nullopt;
  return "Filter Expression can only contain non-primary key attributes: Primary key attribute: " +
         *key;
}

core::Result<KeyRange, std::string> bind_key_condition(const KeyCondition& condition,
                                                       KeyAttribute hash,
                                                       std::optional<KeyAttribute> range) {
  size_t schema_size = range ? 2 : 1;
  if (condition.terms.size() > schema_size) {
    return core::unexpected("The number of query conditions (" +
                            std::to_string(condition.terms.size()) +
                            ") exceeds the number of key attributes defined in the schema (" +
                            std::to_string(schema_size) + ")");
  }
  const KeyCondition::Term* hash_term = nullptr;
  const KeyCondition::Term* range_term = nullptr;
  for (const KeyCondition::Term& t : condition.terms) {
    if (t.attribute == hash.name) {
      hash_term = &t;
    } else if (range && t.attribute == range->name) {
      range_term = &t;
    }
  }
  auto missed = [](std::string_view key) {
    return core::unexpected("Query condition missed key schema element: " + std::string(key));
  };
  if (!hash_term) return missed(hash.name);
  if (condition.terms.size() == 2 && !range_term) return missed(range->name);
  // A legacy KeyConditions operator that selects no key range, on a key attribute.
  for (const KeyCondition::Term* t : {hash_term, range_term}) {
    if (t && !t->indexable) {
      return core::unexpected(
          std::string("Attempted conditional constraint is not an indexable operation"));
    }
  }
  if (hash_term->op != KeyCondition::Op::kEq) {
    return core::unexpected(std::string("Query key condition not supported"));
  }
  for (const KeyCondition::Term* t : {hash_term, range_term}) {
    if (!t) continue;
    ValueType want = t == hash_term ? hash.type : range->type;
    for (const AttributeValue& v : t->values) {
      if (v.type() != want) {
        return core::unexpected(std::string(
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type"));
      }
    }
  }
  for (const KeyCondition::Term* t : {hash_term, range_term}) {
    if (!t) continue;
    for (const AttributeValue& v : t->values) {
      if (auto m = empty_key(v, t->attribute)) return core::unexpected(*m);
    }
  }
  KeyRange out{hash_term->values.front(), std::nullopt};
  if (range_term) out.range = *range_term;
  return out;
}

bool sort_key_matches(const KeyRange& range, const AttributeValue& sort_key) {
  if (!range.range) return true;
  const KeyCondition::Term& t = *range.range;
  if (!t.indexable) return false;  // bind_key_condition refused it
  const AttributeValue& v = t.values.front();
  if (sort_key.type() != v.type()) return false;
  int c = compare_keys(sort_key, v);
  switch (t.op) {
    case KeyCondition::Op::kEq:
      return c == 0;
    case KeyCondition::Op::kLt:
      return c < 0;
    case KeyCondition::Op::kLe:
      return c <= 0;
    case KeyCondition::Op::kGt:
      return c > 0;
    case KeyCondition::Op::kGe:
      return c >= 0;
    case KeyCondition::Op::kBetween:
      return c >= 0 && compare_keys(sort_key, t.values[1]) <= 0;
    case KeyCondition::Op::kBeginsWith:
      break;
  }
  if (v.type() == ValueType::kS) return sort_key.as_string().starts_with(v.as_string());
  if (v.type() == ValueType::kB) return sort_key.as_binary().starts_with(v.as_binary());
  return false;
}

}  // namespace gatehouse::store::expr
