// Beast's response parser with an OriginRequest::head_rule applied to each field as Beast parses
// it (on_field_impl), the fields written out in wire form (WireFields), and the fields the
// answer's Connection header names dropped once the head is whole (on_header_impl). The parser
// keeps the framing (length, chunking, keep-alive) in its own state; without a rule, the fields go
// to the message as Beast's parser puts them.
//
// Usage:
//   HeadRuleParser parser(&rule);
//   co_await bhttp::async_read_header(stream, buffer, parser);
//   WireFields passed = parser.take_passed();
//
// Thread safety: one exchange's, one thread at a time.
#pragma once

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <string>

#include "http/origin_client.h"
#include "http/wire_fields.h"

namespace gatehouse::http::detail {

class HeadRuleParser final
    : public boost::beast::http::response_parser<boost::beast::http::buffer_body> {
 public:
  explicit HeadRuleParser(const HeadRule* rule) : rule_(rule) {}

  // With a rule: the fields passed, once the head is parsed.
  WireFields take_passed() { return std::move(passed_); }

 private:
  void on_field_impl(boost::beast::http::field code, boost::beast::string_view name,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;

  const HeadRule* rule_;
  WireFields passed_;
  std::string connection_;  // the Connection fields' values, joined
  // The fields kept as received: where each is in passed_'s text, and its place among them.
  struct Kept {
    uint32_t begin;
    uint32_t name_size;
    uint32_t field;
  };
  boost::container::small_vector<Kept, 16> kept_;
  uint32_t fields_ = 0;  // in passed_ so far
};

}  // namespace gatehouse::http::detail
