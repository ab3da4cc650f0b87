// Evaluating conditions against items. The semantics are DynamoDB's as scylladb
// test/alternator/test_condition_expression.py and test_filter_expression.py record them
// against real DynamoDB; size() of a string in UTF-16 code units as ExtendDB/extenddb PR #67
// measured on DynamoDB (size of "é𝄞" is 3).
#include "store/expr/evaluate.h"

#include <gtest/gtest.h>

#include <string>

#include "store/expr/test_common.h"

namespace gatehouse::store::expr {
namespace {

using testing::b;
using testing::l;
using testing::m;
using testing::n;
using testing::ns;
using testing::Request;
using testing::s;
using V = AttributeValue;

class Evaluate : public ::testing::Test {
 protected:
  void SetUp() override {
    item = {{"num", n("10")},
            {"str", s("hello")},
            {"bin", b(std::string("\x7f\x80\xff", 3))},
            {"yes", V::boolean(true)},
            {"nil", V::null()},
            {"ss", V::string_set({"dog", "cat"})},
            {"nums", ns({"2", "4", "7"})},
            {"bs", V::binary_set({"hi", "yo"})},
            {"lst", l({n("2"), s("dog"), V::string_set({"x"}), l({n("3")})})},
            {"doc", m({{"x", n("1")}, {"y", m({{"m", n("3")}, {"n", n("4")}})}})},
            {"wide", s("\xC3\xA9\xF0\x9D\x84\x9E")}};  // "é𝄞"
  }
  // Whether `condition` holds for `item`, with `values` defined as :v0, :v1, ...
  bool holds(std::string_view condition, std::vector<V> values = {}) {
    Request r;
    for (size_t i = 0; i < values.size(); ++i)
      r.values.emplace(":v" + std::to_string(i), values[i]);
    auto c = parse_condition(ConditionKind::kCondition, condition, r.ctx(), r.usage);
    EXPECT_TRUE(c) << condition << ": " << (c ? "" : c.error());
    return c && matches(*c, item);
  }
  Item item;
};

TEST_F(Evaluate, Resolve) {
  Path p{{PathStep::member("doc"), PathStep::member("y"), PathStep::member("n")}};
  ASSERT_NE(resolve(item, p), nullptr);
  EXPECT_EQ(*resolve(item, p), n("4"));
  EXPECT_EQ(
      resolve(item, Path{{PathStep::member("lst"), PathStep::element(3), PathStep::element(0)}})
          ->as_number(),
      n("3").as_number());
  EXPECT_EQ(resolve(item, Path{{PathStep::member("lst"), PathStep::element(4)}}), nullptr);
  EXPECT_EQ(resolve(item, Path{{PathStep::member("doc"), PathStep::element(0)}}), nullptr);
  EXPECT_EQ(resolve(item, Path{{PathStep::member("lst"), PathStep::member("x")}}), nullptr);
  EXPECT_EQ(resolve(item, Path{{PathStep::member("str"), PathStep::member("x")}}), nullptr);
}

// Equality on every type, sets in any order, numbers by value.
TEST_F(Evaluate, Equality) {
  EXPECT_TRUE(holds("num = :v0", {n("1e1")}));
  EXPECT_TRUE(holds("num = :v0", {n("10.000")}));
  EXPECT_FALSE(holds("num = :v0", {s("10")}));
  EXPECT_TRUE(holds("ss = :v0", {V::string_set({"cat", "dog"})}));
  EXPECT_TRUE(holds("nums = :v0", {ns({"7", "2.0", "4"})}));
  EXPECT_TRUE(holds("bs = :v0", {V::binary_set({"yo", "hi"})}));
  EXPECT_TRUE(holds("yes = :v0", {V::boolean(true)}));
  EXPECT_TRUE(holds("nil = :v0", {V::null()}));
  EXPECT_TRUE(holds("lst[3] = :v0", {l({n("3")})}));
  EXPECT_TRUE(holds("doc.y = :v0", {m({{"n", n("4")}, {"m", n("3.0")}})}));
}

// A missing attribute equals nothing, not even another missing one; <> is then true.
TEST_F(Evaluate, MissingPaths) {
  EXPECT_FALSE(holds("q = :v0", {n("1")}));
  EXPECT_FALSE(holds("q = z"));
  EXPECT_TRUE(holds("q <> z"));
  EXPECT_TRUE(holds("q <> :v0", {n("1")}));
  for (const char* op : {"<", "<=", ">", ">="}) {
    EXPECT_FALSE(holds(std::string("q ") + op + " z"));
    EXPECT_FALSE(holds(std::string(":v0 ") + op + " q", {n("1")}));
  }
  EXPECT_FALSE(holds("q BETWEEN z AND x"));
  EXPECT_FALSE(holds("q IN (:v0, z)", {n("1")}));
  EXPECT_FALSE(holds("doc.nope < lst[100]"));
  EXPECT_TRUE(holds("attribute_not_exists(doc.nope)"));
  EXPECT_TRUE(holds("attribute_exists(doc.y.m)"));
  EXPECT_FALSE(holds("attribute_exists(lst[9])"));
}

// Order applies to S (UTF-8 bytes), N (exactly) and B (unsigned bytes) only; mixed types and
// other types are simply false when the item supplies them.
TEST_F(Evaluate, Ordering) {
  EXPECT_TRUE(holds("num < :v0", {n("10.0000000000000000000000000000000001")}));
  EXPECT_FALSE(holds("num < :v0", {n("1e1")}));
  EXPECT_TRUE(holds("num <= :v0", {n("1e1")}));
  EXPECT_TRUE(holds("num > :v0", {n("-1e125")}));
  EXPECT_TRUE(holds("num >= :v0", {n("9.99")}));
  EXPECT_TRUE(holds("str < :v0", {s("hellp")}));
  EXPECT_TRUE(holds("str > :v0", {s("Hello")}));
  EXPECT_TRUE(holds(":v0 > str", {s("\xC3\xA9")}));  // "é" sorts after ASCII by bytes
  EXPECT_TRUE(holds("bin > :v0", {b("\x7f")}));      // 0x80 after 0x7f: unsigned
  EXPECT_TRUE(holds("bin < :v0", {b("\x80")}));
  EXPECT_FALSE(holds("num < :v0", {s("17")}));
  EXPECT_FALSE(holds("lst < :v0", {n("1")}));
  EXPECT_FALSE(holds(":v0 < yes", {n("1")}));
  EXPECT_TRUE(holds("num BETWEEN :v0 AND :v1", {n("10"), n("10")}));
  EXPECT_TRUE(holds("str BETWEEN :v0 AND :v1", {s("a"), s("z")}));
  EXPECT_FALSE(holds("num BETWEEN :v0 AND :v1", {s("0"), s("2")}));
  EXPECT_FALSE(holds("num BETWEEN doc.x AND :v0", {n("5")}));
  EXPECT_TRUE(holds("doc.x < doc.y.m AND doc.y.n > lst[0]"));
}

TEST_F(Evaluate, In) {
  EXPECT_TRUE(holds("str IN (:v0, :v1)", {n("1"), s("hello")}));
  EXPECT_FALSE(holds("str IN (:v0)", {s("hell")}));
  EXPECT_TRUE(holds("lst[2] IN (ss, :v0)", {V::string_set({"x"})}));
}

TEST_F(Evaluate, AttributeType) {
  const std::pair<const char*, const char*> kTypes[] = {
      {"str", "S"}, {"num", "N"},   {"bin", "B"}, {"yes", "BOOL"}, {"nil", "NULL"},
      {"ss", "SS"}, {"nums", "NS"}, {"bs", "BS"}, {"lst", "L"},    {"doc", "M"}};
  for (const auto& [attribute, type] : kTypes) {
    EXPECT_TRUE(holds(std::string("attribute_type(") + attribute + ", :v0)", {s(type)}))
        << attribute;
    EXPECT_FALSE(holds(std::string("attribute_type(") + attribute + ", :v0)",
                       {s(std::string(type) == "S" ? "N" : "S")}))
        << attribute;
  }
  EXPECT_FALSE(holds("attribute_type(q, :v0)", {s("S")}));
  EXPECT_TRUE(holds("attribute_type(:v1, :v0)", {s("N"), n("0")}));
}

TEST_F(Evaluate, BeginsWith) {
  EXPECT_TRUE(holds("begins_with(str, :v0)", {s("hell")}));
  EXPECT_TRUE(holds("begins_with(str, :v0)", {s("")}));
  EXPECT_FALSE(holds("begins_with(str, :v0)", {s("dog")}));
  EXPECT_TRUE(holds("begins_with(bin, :v0)", {b("\x7f\x80")}));
  EXPECT_FALSE(holds("begins_with(bin, :v0)", {s("\x7f")}));
  EXPECT_FALSE(holds("begins_with(num, :v0)", {s("1")}));  // the item's wrong type: false
  EXPECT_TRUE(holds("begins_with(:v0, str)", {s("hellohi")}));
}

TEST_F(Evaluate, Contains) {
  EXPECT_TRUE(holds("contains(str, :v0)", {s("ell")}));
  EXPECT_FALSE(holds("contains(str, :v0)", {s("elk")}));
  EXPECT_TRUE(holds("contains(bin, :v0)", {b("\x80\xff")}));
  EXPECT_TRUE(holds("contains(ss, :v0)", {s("cat")}));
  EXPECT_FALSE(holds("contains(ss, :v0)", {s("ca")}));
  EXPECT_TRUE(holds("contains(nums, :v0)", {n("4.0")}));
  EXPECT_FALSE(holds("contains(nums, :v0)", {s("4")}));
  EXPECT_TRUE(holds("contains(bs, :v0)", {b("yo")}));
  EXPECT_TRUE(holds("contains(lst, :v0)", {n("2")}));
  EXPECT_TRUE(holds("contains(lst, :v0)", {V::string_set({"x"})}));
  EXPECT_TRUE(holds("contains(lst, :v0)", {l({n("3")})}));
  EXPECT_FALSE(holds("contains(lst, :v0)", {s("do")}));
  EXPECT_FALSE(holds("contains(doc, :v0)", {s("x")}));
  EXPECT_FALSE(holds("contains(num, :v0)", {n("1")}));
  EXPECT_FALSE(holds("contains(bin, :v0)", {V::string_set({"x"})}));
}

TEST_F(Evaluate, Size) {
  EXPECT_TRUE(holds("size(str) = :v0", {n("5")}));
  EXPECT_TRUE(holds("size(wide) = :v0", {n("3")}));  // UTF-16 code units, not UTF-8 bytes (6)
  EXPECT_TRUE(holds("size(bin) = :v0", {n("3")}));
  EXPECT_TRUE(holds("size(ss) = :v0", {n("2")}));
  EXPECT_TRUE(holds("size(nums) = :v0", {n("3")}));
  EXPECT_TRUE(holds("size(bs) = :v0", {n("2")}));
  EXPECT_TRUE(holds("size(lst) = :v0", {n("4")}));
  EXPECT_TRUE(holds("size(doc) = :v0", {n("2")}));
  EXPECT_TRUE(holds("size(doc.y) < size(lst)"));
  for (const char* attribute : {"num", "yes", "nil", "q"}) {
    EXPECT_FALSE(holds(std::string("size(") + attribute + ") = :v0", {n("1")})) << attribute;
    EXPECT_TRUE(holds(std::string("size(") + attribute + ") <> :v0", {n("1")})) << attribute;
  }
  EXPECT_FALSE(holds("size(str) = :v0", {s("5")}));
  EXPECT_TRUE(holds("size(:v0) = :v1", {s("abc"), n("3")}));
  EXPECT_TRUE(holds("size(str) >= :v0 AND size(str) <= :v0", {n("5")}));
}

TEST_F(Evaluate, Logic) {
  EXPECT_TRUE(holds("num = :v0 OR q = :v0", {n("10")}));
  EXPECT_FALSE(holds("num = :v0 AND q = :v0", {n("10")}));
  EXPECT_TRUE(holds("NOT q = :v0", {n("10")}));
  EXPECT_TRUE(holds("num < str OR NOT (num = :v0 AND str = :v1)", {n("10"), s("x")}));
  EXPECT_TRUE(holds("num > :v0 OR num < :v0 AND num = :v1", {n("1"), n("0")}));  // AND first
}

TEST_F(Evaluate, OperandValue) {
  Operand size;
  size.kind = Operand::Kind::kSize;
  size.args.push_back(Operand::of_path(Path{{PathStep::member("lst")}}));
  EXPECT_EQ(operand_value(size, item), n("4"));
  EXPECT_EQ(operand_value(Operand::of_path(Path{{PathStep::member("q")}}), item), std::nullopt);
}

}  // namespace
}  // namespace gatehouse::store::expr
