#include "store/expr/ast.h"

namespace gatehouse::store::expr {

std::string to_message(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.steps.size(); ++i) {
    if (i > 0) out += ", ";
    const PathStep& step = path.steps[i];
    if (step.is_index) {
      out += '[';
      out += std::to_string(step.index);
      out += ']';
    } else {
      out += step.name;
    }
  }
  out += ']';
  return out;
}

std::string_view to_string(Comparator c) {
  switch (c) {
    case Comparator::kEq:
      return "=";
    case Comparator::kNe:
      return "<>";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      break;
  }
  return ">=";
}

std::string_view to_string(Function f) {
  switch (f) {
    case Function::kAttributeExists:
      return "attribute_exists";
    case Function::kAttributeNotExists:
      return "attribute_not_exists";
    case Function::kAttributeType:
      return "attribute_type";
    case Function::kBeginsWith:
      return "begins_with";
    case Function::kContains:
      break;
  }
  return "contains";
}

}  // namespace gatehouse::store::expr
