// ns per router::match() for a 5-route table (the demo API) and a 200-route table.
//   ninja -C build gh_router_bench && build/src/router/gh_router_bench
// Timing lives here and in bench/, never in unit tests.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "router/method_arn.h"
#include "router/router.h"

namespace gatehouse::router {
namespace {

RouteTable build(const std::vector<RouteSpec>& specs) {
  auto t = compile(specs);
  if (!t) std::abort();
  return std::move(*t);
}

// The demo API plus a health route and a catch-all: 5 routes.
std::vector<RouteSpec> five_routes() {
  return {{"/resource", {"GET", "POST"}, 0},
          {"/resource/{id}", {"GET", "PUT", "DELETE"}, 1},
          {"/health", {"GET"}, 2},
          {"/users/{user_id}/posts/{post_id}", {"GET"}, 3},
          {"/static/{path+}", {"GET"}, 4}};
}

// 40 services with 5 routes each: literals, params, nested params and a greedy catch-all.
std::vector<RouteSpec> two_hundred_routes() {
  std::vector<RouteSpec> specs;
  for (size_t i = 0; i < 40; ++i) {
    std::string svc = "/service" + std::to_string(i);
    specs.push_back({svc + "/items", {"GET", "POST"}, specs.size()});
    specs.push_back({svc + "/items/{id}", {"GET", "PUT", "DELETE"}, specs.size()});
    specs.push_back({svc + "/items/{id}/history", {"GET"}, specs.size()});
    specs.push_back({svc + "/items/{id}/tags/{tag}", {"PUT", "DELETE"}, specs.size()});
    specs.push_back({svc + "/files/{path+}", {"ANY"}, specs.size()});
  }
  return specs;
}

void run(benchmark::State& state, const RouteTable& table, const char* method, const char* path) {
  for (auto _ : state) {
    auto m = match(table, method, path);
    benchmark::DoNotOptimize(m);
  }
}

void BM_Match5_Literal(benchmark::State& state) {
  static const RouteTable t = build(five_routes());
  run(state, t, "GET", "/resource");
}
void BM_Match5_Param(benchmark::State& state) {
  static const RouteTable t = build(five_routes());
  run(state, t, "GET", "/resource/42");
}
void BM_Match5_TwoParams(benchmark::State& state) {
  static const RouteTable t = build(five_routes());
  run(state, t, "GET", "/users/alice/posts/1234");
}
void BM_Match5_Greedy(benchmark::State& state) {
  static const RouteTable t = build(five_routes());
  run(state, t, "GET", "/static/css/site/main.css");
}
void BM_Match5_Encoded(benchmark::State& state) {
  static const RouteTable t = build(five_routes());
  run(state, t, "GET", "/resource/a%2Fb%20c");
}
void BM_Match5_NoRoute(benchmark::State& state) {
  static const RouteTable t = build(five_routes());
  run(state, t, "GET", "/nothing/here");
}
void BM_Match200_Literal(benchmark::State& state) {
  static const RouteTable t = build(two_hundred_routes());
  run(state, t, "POST", "/service27/items");
}
void BM_Match200_Param(benchmark::State& state) {
  static const RouteTable t = build(two_hundred_routes());
  run(state, t, "GET", "/service27/items/42");
}
void BM_Match200_Nested(benchmark::State& state) {
  static const RouteTable t = build(two_hundred_routes());
  run(state, t, "DELETE", "/service27/items/42/tags/blue");
}
void BM_Match200_Greedy(benchmark::State& state) {
  static const RouteTable t = build(two_hundred_routes());
  run(state, t, "GET", "/service39/files/a/b/c/d.txt");
}
void BM_Match200_NoRoute(benchmark::State& state) {
  static const RouteTable t = build(two_hundred_routes());
  run(state, t, "GET", "/service99/items");
}
void BM_MethodArn(benchmark::State& state) {
  static const MethodArnPrefix p("us-east-1", "123456789012", "abcdef1234", "prod");
  for (auto _ : state) {
    auto arn = method_arn(p, "GET", "/resource/42");
    benchmark::DoNotOptimize(arn);
  }
}

BENCHMARK(BM_Match5_Literal);
BENCHMARK(BM_Match5_Param);
BENCHMARK(BM_Match5_TwoParams);
BENCHMARK(BM_Match5_Greedy);
BENCHMARK(BM_Match5_Encoded);
BENCHMARK(BM_Match5_NoRoute);
BENCHMARK(BM_Match200_Literal);
BENCHMARK(BM_Match200_Param);
BENCHMARK(BM_Match200_Nested);
BENCHMARK(BM_Match200_Greedy);
BENCHMARK(BM_Match200_NoRoute);
BENCHMARK(BM_MethodArn);

}  // namespace
}  // namespace gatehouse::router

BENCHMARK_MAIN();
