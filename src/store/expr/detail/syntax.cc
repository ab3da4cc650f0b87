#include "store/expr/detail/syntax.h"

#include <utility>

namespace gatehouse::store::expr::detail {
namespace {

// Thrown inside this file only, to unwind a failed parse to its entry point, where it becomes
// the Result's error: recursive descent without an error check after every call.
struct Failure {
  std::string message;
};

class Parser {
 public:
  Parser(Syntax& s, ExprKind kind) : s_(s), kind_(kind) {}

  Node condition() {
    Node n = parse_or();
    require_condition(n);
    expect_end();
    return n;
  }

  RawUpdate update() {
    RawUpdate u;
    do {
      size_t at = pos_;
      RawAction::Section section;
      if (keyword(at, "SET")) {
        section = RawAction::Section::kSet;
      } else if (keyword(at, "REMOVE")) {
        section = RawAction::Section::kRemove;
      } else if (keyword(at, "ADD")) {
        section = RawAction::Section::kAdd;
      } else if (keyword(at, "DELETE")) {
        section = RawAction::Section::kDelete;
      } else {
        fail_at(at);
      }
      ++pos_;
      u.clauses.emplace_back(section, at);
      for (;;) {
        RawAction action;
        action.section = section;
        action.path = path();
        if (section == RawAction::Section::kSet) {
          expect(Tok::kEq);
          action.value = set_value();
        } else if (section != RawAction::Section::kRemove) {
          if (peek() != Tok::kValueRef) fail_at(pos_);
          action.value = leaf(Node::Kind::kValue);
        }
        u.actions.push_back(std::move(action));
        if (peek() != Tok::kComma) break;
        ++pos_;
      }
    } while (peek() != Tok::kEof);
    return u;
  }

  std::vector<Node> projection() {
    std::vector<Node> paths;
    paths.push_back(path());
    while (peek() == Tok::kComma) {
      ++pos_;
      paths.push_back(path());
    }
    expect_end();
    return paths;
  }

 private:
  // Counts one level of nesting for as long as it lives.
  class Nest {
   public:
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNesting) p_.too_deep();
    }
    ~Nest() { --p_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser& p_;
  };

  Tok peek() const { return s_.tokens[pos_].kind; }
  bool keyword(size_t at, std::string_view upper) const {
    return is_keyword(s_.text, s_.tokens[at], upper);
  }
  // Whether the word at `at` is a keyword of this kind of expression, so no name.
  bool reserved_keyword(size_t at) const {
    switch (kind_) {
      case ExprKind::kCondition:
        return keyword(at, "AND") || keyword(at, "OR") || keyword(at, "NOT") ||
               keyword(at, "BETWEEN") || keyword(at, "IN");
      case ExprKind::kUpdate:
        return keyword(at, "SET") || keyword(at, "REMOVE") || keyword(at, "ADD") ||
               keyword(at, "DELETE");
      case ExprKind::kProjection:
        break;
    }
    return false;
  }

  [[noreturn]] void fail_at(size_t at) { throw Failure{syntax_error(s_.text, s_.tokens, at)}; }
  [[noreturn]] void too_deep() {
    // Only an expression with too many operators or with redundant parentheses nests this deep.
    int total = operators_in_text();
    if (total > kMaxOperators) {
      throw Failure{"The expression contains too many operators; operator count: " +
                    std::to_string(total)};
    }
    throw Failure{"The expression has redundant parentheses;"};
  }
  // The operators of the whole text, counted from its tokens, for when parsing stops early.
  int operators_in_text() const {
    int total = 0;
    for (size_t at = 0; at < s_.tokens.size(); ++at) {
      switch (s_.tokens[at].kind) {
        case Tok::kEq:
        case Tok::kNe:
        case Tok::kLt:
        case Tok::kLe:
        case Tok::kGt:
        case Tok::kGe:
        case Tok::kPlus:
        case Tok::kMinus:
          ++total;
          break;
        case Tok::kWord:
          if (s_.tokens[at + 1].kind == Tok::kLParen && !reserved_keyword(at)) ++total;
          if (kind_ == ExprKind::kCondition &&
              (keyword(at, "OR") || keyword(at, "NOT") || keyword(at, "IN") ||
               keyword(at, "BETWEEN") || keyword(at, "AND"))) {
            ++total;
          }
          break;
        default:
          break;
      }
    }
    // BETWEEN's AND is part of BETWEEN.
    for (size_t at = 0; at < s_.tokens.size(); ++at) {
      if (kind_ == ExprKind::kCondition && keyword(at, "BETWEEN")) --total;
    }
    return total;
  }

  void expect(Tok kind) {
    if (peek() != kind) fail_at(pos_);
    ++pos_;
  }
  void expect_end() {
    if (peek() != Tok::kEof) fail_at(pos_);
  }
  void count_operator() { ++s_.operators; }
  void wrap_in_parens(Node& n) {
    if (n.parens > 0) s_.redundant_parens = true;
    ++n.parens;
    n.next = pos_;
  }
  // A bare path or value is no condition: the parse stops at the token after it.
  void require_condition(const Node& n) {
    if (!n.is_condition()) fail_at(n.next);
  }

  Node leaf(Node::Kind kind) {
    Node n;
    n.kind = kind;
    n.token = pos_++;
    n.next = pos_;
    return n;
  }
  Node binary(Node::Kind kind, size_t op, Node a, Node b) {
    Node n;
    n.kind = kind;
    n.token = op;
    n.next = b.next;
    n.children.push_back(std::move(a));
    n.children.push_back(std::move(b));
    return n;
  }

  Node parse_or() {
    Node left = parse_and();
    while (keyword(pos_, "OR")) {
      require_condition(left);
      size_t op = pos_++;
      count_operator();
      Node right = parse_and();
      require_condition(right);
      left = binary(Node::Kind::kOr, op, std::move(left), std::move(right));
    }
    return left;
  }

  Node parse_and() {
    Node left = parse_not();
    while (keyword(pos_, "AND")) {
      require_condition(left);
      size_t op = pos_++;
      count_operator();
      Node right = parse_not();
      require_condition(right);
      left = binary(Node::Kind::kAnd, op, std::move(left), std::move(right));
    }
    return left;
  }

  Node parse_not() {
    if (!keyword(pos_, "NOT")) return primary();
    Nest nest(*this);
    Node n;
    n.kind = Node::Kind::kNot;
    n.token = pos_++;
    count_operator();
    Node inner = parse_not();
    require_condition(inner);
    n.next = inner.next;
    n.children.push_back(std::move(inner));
    return n;
  }

  // A parenthesized condition, a comparison, BETWEEN, IN, or a function call; a bare operand is
  // returned as is for the caller to refuse (it may still be the left side of a comparison
  // written in parentheses, as in "(a) = :v").
  Node primary() {
    Node left;
    if (peek() == Tok::kLParen) {
      Nest nest(*this);
      ++pos_;
      left = parse_or();
      expect(Tok::kRParen);
      wrap_in_parens(left);
      if (left.kind != Node::Kind::kPath && left.kind != Node::Kind::kValue &&
          left.kind != Node::Kind::kCall) {
        return left;
      }
    } else {
      left = operand();
    }
    size_t op = pos_;
    switch (peek()) {
      case Tok::kEq:
      case Tok::kNe:
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe: {
        ++pos_;
        count_operator();
        Node right = operand();
        return binary(Node::Kind::kCompare, op, std::move(left), std::move(right));
      }
      default:
        break;
    }
    if (keyword(op, "BETWEEN")) {
      ++pos_;
      count_operator();
      Node lower = operand();
      if (!keyword(pos_, "AND")) fail_at(pos_);
      ++pos_;
      Node upper = operand();
      Node n = binary(Node::Kind::kBetween, op, std::move(left), std::move(lower));
      n.next = upper.next;
      n.children.push_back(std::move(upper));
      return n;
    }
    if (keyword(op, "IN")) {
      ++pos_;
      count_operator();
      expect(Tok::kLParen);
      Node n;
      n.kind = Node::Kind::kIn;
      n.token = op;
      n.children.push_back(std::move(left));
      n.children.push_back(operand());
      while (peek() == Tok::kComma) {
        ++pos_;
        n.children.push_back(operand());
      }
      expect(Tok::kRParen);
      n.next = pos_;
      return n;
    }
    return left;
  }

  // A path, a :value, a function call, or one of these in parentheses.
  Node operand() {
    switch (peek()) {
      case Tok::kLParen: {
        Nest nest(*this);
        ++pos_;
        Node inner = operand();
        expect(Tok::kRParen);
        wrap_in_parens(inner);
        return inner;
      }
      case Tok::kValueRef:
        return leaf(Node::Kind::kValue);
      case Tok::kNameRef:
        return path();
      case Tok::kWord:
        if (reserved_keyword(pos_)) fail_at(pos_);
        if (s_.tokens[pos_ + 1].kind == Tok::kLParen) return call();
        return path();
      default:
        fail_at(pos_);
    }
  }

  Node call() {
    Nest nest(*this);
    Node n;
    n.kind = Node::Kind::kCall;
    n.token = pos_;
    pos_ += 2;  // the name and '('
    count_operator();
    n.children.push_back(operand());
    while (peek() == Tok::kComma) {
      ++pos_;
      n.children.push_back(operand());
    }
    expect(Tok::kRParen);
    n.next = pos_;
    return n;
  }

  Node path() {
    Node n;
    n.kind = Node::Kind::kPath;
    n.token = pos_;
    auto name_step = [&] {
      if (peek() == Tok::kNameRef) {
        n.steps.push_back(RawStep{RawStep::Kind::kNameRef, pos_++});
      } else if (peek() == Tok::kWord && !reserved_keyword(pos_)) {
        n.steps.push_back(RawStep{RawStep::Kind::kName, pos_++});
      } else {
        fail_at(pos_);
      }
    };
    name_step();
    for (;;) {
      if (peek() == Tok::kDot) {
        ++pos_;
        name_step();
      } else if (peek() == Tok::kLBracket) {
        ++pos_;
        if (peek() != Tok::kInt) fail_at(pos_);
        n.steps.push_back(RawStep{RawStep::Kind::kIndex, pos_++});
        expect(Tok::kRBracket);
      } else {
        break;
      }
    }
    n.next = pos_;
    return n;
  }

  // A SET action's value: an operand, or two joined by + or -, each part possibly in
  // parentheses, and the whole too.
  Node set_value() {
    Node left;
    if (peek() == Tok::kLParen) {
      Nest nest(*this);
      ++pos_;
      left = set_value();
      expect(Tok::kRParen);
      wrap_in_parens(left);
    } else {
      left = operand();
    }
    if ((peek() == Tok::kPlus || peek() == Tok::kMinus) && left.kind != Node::Kind::kArith) {
      size_t op = pos_++;
      count_operator();
      Node right = operand();
      return binary(Node::Kind::kArith, op, std::move(left), std::move(right));
    }
    return left;
  }

  Syntax& s_;
  ExprKind kind_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

core::Result<Node, std::string> parse_condition_tree(Syntax& s) {
  try {
    return Parser(s, ExprKind::kCondition).condition();
  } catch (Failure& f) {
    return core::unexpected(std::move(f.message));
  }
}

core::Result<RawUpdate, std::string> parse_update_tree(Syntax& s) {
  try {
    return Parser(s, ExprKind::kUpdate).update();
  } catch (Failure& f) {
    return core::unexpected(std::move(f.message));
  }
}

core::Result<std::vector<Node>, std::string> parse_projection_tree(Syntax& s) {
  try {
    return Parser(s, ExprKind::kProjection).projection();
  } catch (Failure& f) {
    return core::unexpected(std::move(f.message));
  }
}

}  // namespace gatehouse::store::expr::detail
