// Projecting items, as scylladb test/alternator/test_projection_expression.py records
// DynamoDB doing it (test_projection_expression_path).
#include "store/expr/projection.h"

#include <gtest/gtest.h>

#include "store/expr/test_common.h"

namespace gatehouse::store::expr {
namespace {

using testing::l;
using testing::m;
using testing::n;
using testing::Request;
using testing::s;

class Project : public ::testing::Test {
 protected:
  Item shown(std::string_view projection) {
    Request r;
    r.names = {{"#dot", "a.b"}};
    auto p = parse_projection(projection, r.ctx(), r.usage);
    EXPECT_TRUE(p) << projection << ": " << (p ? "" : p.error());
    return p ? project(item, p->paths) : Item{};
  }
  Item item{
      {"p", s("key")},
      {"a", m({{"b", l({n("2"), n("4"), m({{"x", s("hi")}, {"y", s("yo")}})})}, {"c", n("5")}})},
      {"b", s("hello")},
      {"a.b", s("dotted")}};
};

TEST_F(Project, TopLevel) {
  EXPECT_EQ(shown("b"), (Item{{"b", s("hello")}}));
  EXPECT_EQ(shown("p, b, nonexistent"), (Item{{"p", s("key")}, {"b", s("hello")}}));
  EXPECT_EQ(shown("#dot"), (Item{{"a.b", s("dotted")}}));
  EXPECT_EQ(shown("a"), (Item{{"a", item.at("a")}}));
}

TEST_F(Project, NestedPathsKeepTheirShape) {
  EXPECT_EQ(shown("a.b"), (Item{{"a", m({{"b", item.at("a").as_map().at("b")}})}}));
  EXPECT_EQ(shown("a.b[0]"), (Item{{"a", m({{"b", l({n("2")})}})}}));
  EXPECT_EQ(shown("a.b[2].y"), (Item{{"a", m({{"b", l({m({{"y", s("yo")}})})}})}}));
  EXPECT_EQ(shown("a.b[2], a.b[0]"),
            (Item{{"a", m({{"b", l({n("2"), m({{"x", s("hi")}, {"y", s("yo")}})})}})}}));
  EXPECT_EQ(shown("a.b[0],a.c"), (Item{{"a", m({{"b", l({n("2")})}, {"c", n("5")}})}}));
  EXPECT_EQ(shown("a.c,b"), (Item{{"a", m({{"c", n("5")}})}, {"b", s("hello")}}));
}

// Whatever the item lacks adds nothing; a container none of whose paths exist is left out.
TEST_F(Project, MissingPathsAddNothing) {
  for (const char* projection :
       {"x", "a.b[3]", "a.x", "a.x.y", "a.b[3].x", "a.b.x", "a[0]", "a.b[0].x", "a.b[0][0]"}) {
    EXPECT_EQ(shown(projection), Item{}) << projection;
  }
  EXPECT_EQ(shown("a.x, a.b[0], x, a.b[3].x"), (Item{{"a", m({{"b", l({n("2")})}})}}));
}

}  // namespace
}  // namespace gatehouse::store::expr
