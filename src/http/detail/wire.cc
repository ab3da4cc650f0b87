#include "http/detail/wire.h"

#include <fmt/format.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <vector>

#include "core/text.h"
#include "http/detail/date.h"

namespace gatehouse::http::detail {

namespace bhttp = boost::beast::http;

std::string chunk_size_line(size_t size) {
  return fmt::format("{:x}\r\n", size);
}

bool response_head(const Response& res, std::string_view passed, bool keep_alive, bool head_request,
                   Framing framing, uint64_t length, std::string& out) {
  unsigned status = res.result_int();
  bool bodiless_status = (status >= 100 && status < 200) || status == 204 || status == 304;
  out.clear();
  out += "HTTP/1.1 ";
  char digits[4] = {char('0' + status / 100 % 10), char('0' + status / 10 % 10),
                    char('0' + status % 10), ' '};
  out.append(digits, 4);
  out += bhttp::obsolete_reason(res.result());
  out += "\r\n";
  bool has_date = false;
  for (const auto& field : res) {
    auto name = field.name();
    if (name == bhttp::field::content_length || name == bhttp::field::connection ||
        name == bhttp::field::transfer_encoding) {
      continue;
    }
    if (name == bhttp::field::date) has_date = true;
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += passed;
  if (!has_date) {
    out += "Date: ";
    out += http_date();
    out += "\r\n";
  }
  if (!keep_alive) out += "Connection: close\r\n";
  if (!bodiless_status) {
    if (framing == Framing::kLength) {
      out += "Content-Length: ";
      out += std::to_string(length);
      out += "\r\n";
    } else if (framing == Framing::kChunked && !head_request) {
      out += "Transfer-Encoding: chunked\r\n";
    }
  }
  out += "\r\n";
  return !bodiless_status && !head_request;
}

std::optional<ProtocolError> transfer_coding_problem(const boost::beast::http::fields& head) {
  size_t fields = head.count(bhttp::field::transfer_encoding);
  if (fields == 0) return std::nullopt;
  if (fields > 1) return ProtocolError::kBadRequest;
  std::string_view value = head[bhttp::field::transfer_encoding];
  std::vector<std::string_view> codings;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view coding = core::trim_ows(value.substr(0, comma));
    if (!coding.empty()) codings.push_back(coding);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (codings.empty() || !boost::beast::iequals(codings.back(), "chunked")) {
    return ProtocolError::kBadRequest;
  }
  if (codings.size() > 1) return ProtocolError::kUnsupportedTransferCoding;
  return std::nullopt;
}

core::Status body_read_error(const boost::system::error_code& ec, const Limits& limits) {
  namespace asio = boost::asio;
  if (ec == bhttp::error::body_limit) {
    return core::resource_exhausted("the request body is larger than " +
                                    std::to_string(limits.max_body_bytes) + " bytes");
  }
  if (ec == boost::beast::error::timeout) {
    return core::Status(
        core::Code::kDeadlineExceeded,
        "the request body did not arrive within " + std::to_string(limits.body_timeout_ms) + " ms");
  }
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      ec == bhttp::error::partial_message) {
    return core::unavailable("the client's connection closed before the body's end");
  }
  return core::invalid_argument("the request body is malformed: " + ec.message());
}

bool is_plain_http_on_tls(const boost::system::error_code& ec) {
  return ec.category() == boost::asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
}

}  // namespace gatehouse::http::detail
