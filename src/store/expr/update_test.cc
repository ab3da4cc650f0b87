// Applying updates. The semantics are DynamoDB's as scylladb test/alternator/
// test_update_expression.py records them against real DynamoDB and paritysuite/
// dynamodb-conformance tests/tier1/updateItem/paths.test.ts pins them; the runtime texts are
// the ones DynamoDB's TransactionCanceledException documentation lists.
#include "store/expr/update.h"

#include <gtest/gtest.h>

#include <string>

#include "store/expr/test_common.h"

namespace gatehouse::store::expr {
namespace {

using testing::l;
using testing::m;
using testing::n;
using testing::ns;
using testing::Request;
using testing::s;
using V = AttributeValue;

constexpr std::string_view kTypeError =
    "An operand in the update expression has an incorrect data type";
constexpr std::string_view kPathError =
    "The document path provided in the update expression is invalid for update";
constexpr std::string_view kMissing =
    "The provided expression refers to an attribute that does not exist in the item";

class ApplyUpdate : public ::testing::Test {
 protected:
  void SetUp() override {
    r.values = {{":one", n("1")},
                {":two", n("2")},
                {":x", s("x")},
                {":list", l({s("z")})},
                {":set", V::string_set({"cat", "pig"})},
                {":ns", ns({"1", "5"})},
                {":big", n("9e125")},
                {":point1", n("0.1")},
                {":point2", n("0.2")}};
  }
  core::Result<Item, std::string> apply(std::string_view text, const Item& old,
                                        bool exists = true) {
    auto u = parse_update(text, r.ctx(), r.usage);
    EXPECT_TRUE(u) << text << ": " << (u ? "" : u.error());
    if (!u) return core::unexpected(u.error());
    return apply_update(*u, old, exists);
  }
  Item after(std::string_view text, const Item& old) {
    auto next = apply(text, old);
    EXPECT_TRUE(next) << text << ": " << (next ? "" : next.error());
    return next ? *next : Item{};
  }
  std::string error(std::string_view text, const Item& old, bool exists = true) {
    auto next = apply(text, old, exists);
    return next ? "(applied)" : next.error();
  }
  Request r;
};

TEST_F(ApplyUpdate, SetAndRemoveTopLevel) {
  Item old{{"a", s("hi")}, {"b", n("3")}};
  EXPECT_EQ(after("SET c = :x, a = b REMOVE b", old), (Item{{"a", n("3")}, {"c", s("x")}}));
  EXPECT_EQ(after("REMOVE q", old), old);
}

// Right-hand sides read the item before the update.
TEST_F(ApplyUpdate, ReadsTheOldItem) {
  Item old{{"a", s("hello")}};
  EXPECT_EQ(after("REMOVE a SET b = a", old), (Item{{"b", s("hello")}}));
  EXPECT_EQ(error("SET x = :one, y = x", old), kMissing);
  EXPECT_EQ(error("SET z = z", old), kMissing);
  EXPECT_EQ(error("SET z = z", Item{}, false), kMissing);
  EXPECT_EQ(after("SET a = a", old), old);
}

// Numbers add exactly: 0.1 + 0.2 is 0.3, 1e2 is 100.
TEST_F(ApplyUpdate, Arithmetic) {
  Item old{{"n", n("1e2")}, {"s", s("x")}};
  EXPECT_EQ(after("SET n = n + :one", old).at("n").as_number().to_string(), "101");
  EXPECT_EQ(after("SET m = :point1 + :point2", old).at("m").as_number().to_string(), "0.3");
  EXPECT_EQ(after("SET m = :one - n", old).at("m").as_number().to_string(), "-99");
  EXPECT_EQ(after("SET n = if_not_exists(q, :one) + :two", old).at("n"), n("3"));
  EXPECT_EQ(error("SET m = s + :one", old), kTypeError);
  EXPECT_EQ(error("SET m = q + :one", old), kMissing);
  EXPECT_EQ(error("SET m = q + s", old), kTypeError);  // a wrong type outranks a missing one
  EXPECT_EQ(error("SET m = :big + :big", old),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
}

TEST_F(ApplyUpdate, ListAppendAndIfNotExists) {
  Item old{{"a", l({s("hi"), n("2")})}, {"b", n("7")}};
  EXPECT_EQ(after("SET a = list_append(a, :list)", old).at("a"), l({s("hi"), n("2"), s("z")}));
  EXPECT_EQ(after("SET a = list_append(:list, a)", old).at("a"), l({s("z"), s("hi"), n("2")}));
  EXPECT_EQ(after("SET c = list_append(if_not_exists(c, :list), :list)", old).at("c"),
            l({s("z"), s("z")}));
  EXPECT_EQ(error("SET a = list_append(a, b)", old), kTypeError);
  EXPECT_EQ(error("SET a = list_append(q, :list)", old), kMissing);
  EXPECT_EQ(after("SET b = if_not_exists(b, :one)", old).at("b"), n("7"));
  EXPECT_EQ(after("SET c = if_not_exists(b, :one)", old).at("c"), n("7"));
  EXPECT_EQ(after("SET c = if_not_exists(q, :one)", old).at("c"), n("1"));
}

// scylladb test_update_expression_nested_*; paritysuite paths.test.ts.
TEST_F(ApplyUpdate, NestedMapsAndLists) {
  Item old{{"a", m({{"b", n("3")},
                    {"c", l({s("hi"), m({{"x", m({{"y", l({n("3"), n("5"), n("7")})}})}})})}})}};
  Item next = after("SET a.c[1].x.y[1] = :one, a.z = a.c[1].x.y[2]", old);
  EXPECT_EQ(next.at("a").as_map().at("c").as_list()[1],
            m({{"x", m({{"y", l({n("3"), n("1"), n("7")})}})}}));
  EXPECT_EQ(next.at("a").as_map().at("z"), n("7"));
  next = after("REMOVE a.c[1].x.y[1], a.b", old);
  EXPECT_EQ(next.at("a"), m({{"c", l({s("hi"), m({{"x", m({{"y", l({n("3"), n("7")})}})}})})}}));
  // Emptying a map or list leaves it, empty.
  EXPECT_EQ(after("REMOVE a.b, a.c", old).at("a"), m({}));
  EXPECT_EQ(after("REMOVE x[0]", Item{{"x", l({n("1")})}}).at("x"), l({}));
}

// Past the end appends, in index order, without padding; REMOVE indexes are positions before
// the update; a missing index is ignored.
TEST_F(ApplyUpdate, ListIndexes) {
  Item old{{"a", l({s("one"), s("two"), s("three")})}};
  EXPECT_EQ(after("SET a[7] = :x", old).at("a"), l({s("one"), s("two"), s("three"), s("x")}));
  r.values.insert_or_assign(":a1", s("a1"));
  r.values.insert_or_assign(":a2", s("a2"));
  r.values.insert_or_assign(":a3", s("a3"));
  r.values.insert_or_assign(":a4", s("a4"));
  EXPECT_EQ(after("SET a[84] = :a1, a[37] = :a2, a[17] = :a3, a[50] = :a4", old).at("a"),
            l({s("one"), s("two"), s("three"), s("a3"), s("a2"), s("a4"), s("a1")}));
  Item six{{"a", l({n("2"), n("3"), n("4"), n("5"), n("6"), n("7")})}};
  r.values.insert_or_assign(":v", n("17"));
  EXPECT_EQ(after("REMOVE a[1] SET a[3] = :v", six).at("a"),
            l({n("2"), n("4"), n("17"), n("6"), n("7")}));
  EXPECT_EQ(after("SET a[3] = :v REMOVE a[1]", six).at("a"),
            l({n("2"), n("4"), n("17"), n("6"), n("7")}));
  EXPECT_EQ(after("REMOVE a[0], a[2], a[17]", six).at("a"), l({n("3"), n("5"), n("6"), n("7")}));
  EXPECT_EQ(after("SET a[0] = :x", Item{{"a", l({})}}).at("a"), l({s("x")}));
}

// A nested path needs its parent, of the right kind, in the old item; REMOVE on a missing item
// is the exception.
TEST_F(ApplyUpdate, InvalidDocumentPaths) {
  Item old{{"a", s("hello")}, {"b", l({s("hi")})}, {"m", m({{"x", n("3")}})}};
  for (const char* text :
       {"SET a.c = :one", "SET b.c = :one", "SET c.c = :one", "REMOVE a.c", "REMOVE b.c",
        "REMOVE c.c", "SET a[0] = :one", "SET c[0] = :one", "REMOVE a[0]",
        "SET absent.nested.deep = :x", "ADD c.n :one", "DELETE c.s :set"}) {
    EXPECT_EQ(error(text, old), kPathError) << text;
  }
  EXPECT_EQ(error("SET c.c = :one", Item{}, false), kPathError);
  EXPECT_TRUE(apply("REMOVE x.y, z[0]", Item{}, false));
  EXPECT_EQ(after("REMOVE m.y, b[7], c", old), old);
  // A type error is reported before a bad path.
  EXPECT_EQ(error("SET a.c = :one, z = a + :one", old), kTypeError);
}

TEST_F(ApplyUpdate, AddNumbersAndSets) {
  Item old{
      {"n", n("3")}, {"s", V::string_set({"dog", "cat"})}, {"str", s("hi")}, {"l", l({n("1")})}};
  EXPECT_EQ(after("ADD n :two", old).at("n"), n("5"));
  EXPECT_EQ(after("ADD fresh :two", old).at("fresh"), n("2"));
  EXPECT_EQ(after("ADD s :set", old).at("s"), V::string_set({"dog", "cat", "pig"}));
  EXPECT_EQ(after("ADD s :set", old).at("s").as_string_set(),
            (std::vector<std::string>{"dog", "cat", "pig"}));
  EXPECT_EQ(after("ADD t :set", old).at("t"), V::string_set({"cat", "pig"}));
  EXPECT_EQ(error("ADD str :one", old), kTypeError);
  EXPECT_EQ(error("ADD s :ns", old), kTypeError);
  EXPECT_EQ(error("ADD l :ns", old), kTypeError);
  EXPECT_EQ(error("ADD n :set", old), kTypeError);
  r.values.insert_or_assign(":huge", n("9e125"));
  EXPECT_EQ(error("ADD h :huge", Item{{"h", n("9e125")}}),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
}

TEST_F(ApplyUpdate, DeleteFromSets) {
  Item old{{"s", V::string_set({"dog", "cat", "mouse"})}, {"n", ns({"1", "2"})}, {"x", s("x")}};
  r.values.insert_or_assign(":cm", V::string_set({"cat", "mouse"}));
  r.values.insert_or_assign(":pig", V::string_set({"pig"}));
  r.values.insert_or_assign(":dog", V::string_set({"dog"}));
  EXPECT_EQ(after("DELETE s :cm", old).at("s"), V::string_set({"dog"}));
  EXPECT_EQ(after("DELETE s :pig", old).at("s"), old.at("s"));
  Item emptied = after("DELETE s :cm, n :ns",
                       Item{{"s", V::string_set({"cat", "mouse"})}, {"n", ns({"1.0", "5"})}});
  EXPECT_TRUE(emptied.empty());
  EXPECT_EQ(after("DELETE q :dog", old), old);
  EXPECT_EQ(error("DELETE x :dog", old), kTypeError);
  EXPECT_EQ(error("DELETE n :dog", old), kTypeError);
}

// An Update from the legacy AttributeUpdates (from_attribute_updates) ADDs a list to a list by
// appending, duplicates kept, and words a wrong type as DynamoDB's legacy path does (scylladb
// test/alternator/test_item.py test_update_item_add and test_update_item_delete match
// "mismatch"; mhart/dynalite actions/updateItem.js has the text). Expressions are unchanged.
TEST_F(ApplyUpdate, FromAttributeUpdates) {
  const std::string legacy_type_error = "Type mismatch for attribute to update";
  auto legacy = [](std::vector<Update::AddOrDelete> add, std::vector<Update::AddOrDelete> del) {
    Update u;
    u.add = std::move(add);
    u.del = std::move(del);
    u.from_attribute_updates = true;
    return u;
  };
  auto at = [](const char* name) { return Path{{PathStep::member(name)}}; };
  Item old{{"l", l({n("1"), n("2")})}, {"n", n("2")}, {"s", V::string_set({"dog"})}};
  auto appended = apply_update(legacy({{at("l"), l({n("3"), n("1")})}}, {}), old);
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended->at("l"), l({n("1"), n("2"), n("3"), n("1")}));
  auto created = apply_update(legacy({{at("fresh"), l({s("a")})}}, {}), old);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->at("fresh"), l({s("a")}));
  auto added = apply_update(legacy({{at("n"), n("3")}}, {}), old);
  ASSERT_TRUE(added);
  EXPECT_EQ(added->at("n"), n("5"));
  for (const Update& u : {legacy({{at("l"), n("1")}}, {}), legacy({{at("n"), l({n("1")})}}, {}),
                          legacy({{at("s"), ns({"1"})}}, {}), legacy({}, {{at("n"), ns({"1"})}}),
                          legacy({}, {{at("s"), ns({"1"})}})}) {
    auto next = apply_update(u, old);
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error(), legacy_type_error);
  }
  // The same list ADD from an expression stays a type error in the expression's words.
  Update expression = legacy({{at("l"), l({n("3")})}}, {});
  expression.from_attribute_updates = false;
  auto refused = apply_update(expression, old);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), kTypeError);
}

TEST_F(ApplyUpdate, UpdatedPaths) {
  auto u = parse_update("SET a.b = :one, c = :one REMOVE d[1] ADD e :one DELETE f :set", r.ctx(),
                        r.usage);
  ASSERT_TRUE(u);
  auto paths = updated_paths(*u);
  ASSERT_EQ(paths.size(), 5u);
  EXPECT_EQ(to_message(paths[0]), "[a, b]");
  EXPECT_EQ(to_message(paths[2]), "[d, [1]]");
  EXPECT_EQ(updated_attributes(*u), (std::vector<std::string>{"a", "c", "d", "e", "f"}));
}

}  // namespace
}  // namespace gatehouse::store::expr
