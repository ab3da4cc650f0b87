#include "store/expr/evaluate.h"

#include <algorithm>
#include <string>

namespace gatehouse::store::expr {
namespace {

// An operand's value: borrowed from the item or the expression, or computed (size()).
class Held {
 public:
  Held() = default;
  explicit Held(const AttributeValue* borrowed) : ptr_(borrowed) {}
  explicit Held(AttributeValue owned) : owned_(std::move(owned)) { ptr_ = &*owned_; }
  Held(Held&& other) noexcept : owned_(std::move(other.owned_)) {
    ptr_ = owned_ ? &*owned_ : other.ptr_;
  }
  Held& operator=(Held&&) = delete;

  const AttributeValue* get() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }
  const AttributeValue& operator*() const { return *ptr_; }
  const AttributeValue* operator->() const { return ptr_; }

 private:
  std::optional<AttributeValue> owned_;
  const AttributeValue* ptr_ = nullptr;
};

// The length DynamoDB's size() gives a string: UTF-16 code units, so a character outside the
// Basic Multilingual Plane counts 2 ("é𝄞" is 3).
size_t utf16_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // each character's first byte
    if (c >= 0xF0) ++n;           // a four-byte character is a surrogate pair
  }
  return n;
}

std::optional<size_t> size_of(const AttributeValue& v) {
  switch (v.type()) {
    case ValueType::kS:
      return utf16_length(v.as_string());
    case ValueType::kB:
      return v.as_binary().size();
    case ValueType::kSS:
      return v.as_string_set().size();
    case ValueType::kNS:
      return v.as_number_set().size();
    case ValueType::kBS:
      return v.as_binary_set().size();
    case ValueType::kL:
      return v.as_list().size();
    case ValueType::kM:
      return v.as_map().size();
    default:
      return std::nullopt;
  }
}

Held value_of(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kPath:
      return Held(resolve(item, o.path));
    case Operand::Kind::kValue:
      return Held(&*o.value);
    case Operand::Kind::kSize: {
      Held arg = value_of(o.args[0], item);
      if (!arg) return Held();
      auto n = size_of(*arg);
      if (!n) return Held();
      auto d = Decimal::parse(std::to_string(*n));
      return d ? Held(AttributeValue::number(*d)) : Held();
    }
    default:
      return Held();  // SET-only operands never reach conditions
  }
}

bool orderable(ValueType t) {
  return t == ValueType::kS || t == ValueType::kN || t == ValueType::kB;
}

// -1, 0 or 1, or nullopt when a and b do not order (absent, different types, or not S/N/B).
std::optional<int> order(const AttributeValue* a, const AttributeValue* b) {
  if (!a || !b || a->type() != b->type() || !orderable(a->type())) return std::nullopt;
  return compare_keys(*a, *b);
}

bool compare(Comparator c, const AttributeValue* a, const AttributeValue* b) {
  if (c == Comparator::kEq) return a && b && *a == *b;
  if (c == Comparator::kNe) return !(a && b && *a == *b);
  auto o = order(a, b);
  if (!o) return false;
  switch (c) {
    case Comparator::kLt:
      return *o < 0;
    case Comparator::kLe:
      return *o <= 0;
    case Comparator::kGt:
      return *o > 0;
    default:
      return *o >= 0;
  }
}

bool begins_with(const AttributeValue& a, const AttributeValue& prefix) {
  if (a.type() != prefix.type()) return false;
  if (a.type() == ValueType::kS) return a.as_string().starts_with(prefix.as_string());
  if (a.type() == ValueType::kB) return a.as_binary().starts_with(prefix.as_binary());
  return false;
}

bool contains(const AttributeValue& a, const AttributeValue& b) {
  switch (a.type()) {
    case ValueType::kS:
      return b.type() == ValueType::kS && a.as_string().find(b.as_string()) != std::string::npos;
    case ValueType::kB:
      return b.type() == ValueType::kB && a.as_binary().find(b.as_binary()) != std::string::npos;
    case ValueType::kSS: {
      if (b.type() != ValueType::kS) return false;
      const auto& m = a.as_string_set();
      return std::find(m.begin(), m.end(), b.as_string()) != m.end();
    }
    case ValueType::kNS: {
      if (b.type() != ValueType::kN) return false;
      const auto& m = a.as_number_set();
      return std::find(m.begin(), m.end(), b.as_number()) != m.end();
    }
    case ValueType::kBS: {
      if (b.type() != ValueType::kB) return false;
      const auto& m = a.as_binary_set();
      return std::find(m.begin(), m.end(), b.as_binary()) != m.end();
    }
    case ValueType::kL: {
      const auto& l = a.as_list();
      return std::find(l.begin(), l.end(), b) != l.end();
    }
    default:
      return false;
  }
}

bool call(const Condition& c, const Item& item) {
  Held a = value_of(c.operands[0], item);
  switch (c.function) {
    case Function::kAttributeExists:
      return static_cast<bool>(a);
    case Function::kAttributeNotExists:
      return !a;
    default:
      break;
  }
  Held b = value_of(c.operands[1], item);
  if (!a || !b) return false;
  switch (c.function) {
    case Function::kAttributeType:
      return b->type() == ValueType::kS && to_string(a->type()) == b->as_string();
    case Function::kBeginsWith:
      return begins_with(*a, *b);
    default:
      return contains(*a, *b);
  }
}

}  // namespace

const AttributeValue* resolve(const Item& item, const Path& path) {
  auto top = item.find(path.attribute());
  if (top == item.end()) return nullptr;
  const AttributeValue* v = &top->second;
  for (size_t i = 1; i < path.steps.size(); ++i) {
    const PathStep& step = path.steps[i];
    if (step.is_index) {
      if (v->type() != ValueType::kL || step.index >= v->as_list().size()) return nullptr;
      v = &v->as_list()[step.index];
    } else {
      if (v->type() != ValueType::kM) return nullptr;
      auto it = v->as_map().find(step.name);
      if (it == v->as_map().end()) return nullptr;
      v = &it->second;
    }
  }
  return v;
}

bool matches(const Condition& c, const Item& item) {
  switch (c.kind) {
    case Condition::Kind::kAnd:
      return matches(c.children[0], item) && matches(c.children[1], item);
    case Condition::Kind::kOr:
      return matches(c.children[0], item) || matches(c.children[1], item);
    case Condition::Kind::kNot:
      return !matches(c.children[0], item);
    case Condition::Kind::kCompare: {
      Held a = value_of(c.operands[0], item);
      Held b = value_of(c.operands[1], item);
      return compare(c.comparator, a.get(), b.get());
    }
    case Condition::Kind::kBetween: {
      Held v = value_of(c.operands[0], item);
      Held lo = value_of(c.operands[1], item);
      Held hi = value_of(c.operands[2], item);
      auto above = order(lo.get(), v.get());
      auto below = order(v.get(), hi.get());
      return above && below && *above <= 0 && *below <= 0;
    }
    case Condition::Kind::kIn: {
      Held v = value_of(c.operands[0], item);
      if (!v) return false;
      for (size_t i = 1; i < c.operands.size(); ++i) {
        Held candidate = value_of(c.operands[i], item);
        if (candidate && *candidate == *v) return true;
      }
      return false;
    }
    case Condition::Kind::kFunction:
      return call(c, item);
  }
  return false;
}

std::optional<AttributeValue> operand_value(const Operand& operand, const Item& item) {
  Held v = value_of(operand, item);
  if (!v) return std::nullopt;
  return *v;
}

}  // namespace gatehouse::store::expr
