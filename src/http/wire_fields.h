// Header fields in wire form ("Name: value\r\n" each), as parsed from another server's answer and
// passed on after a response's own fields, never stored one by one in a field container
// (Exchange::respond_streaming, OriginStream::passed). They hold no Content-Length,
// Transfer-Encoding, Connection or Date: the listener writes those.
//
// Usage:
//   WireFields f;
//   f.add("", "ETag", "\"abc\"");                     // ETag: "abc"
//   f.add("x-amzn-Remapped-", "Server", "nginx");     // x-amzn-Remapped-Server: nginx
//   f.which_of({"etag", "Content-Type"}) == 0b01;
//
// Thread safety: a value; one thread at a time.
#pragma once

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace gatehouse::http {

class WireFields {
 public:
  // Appends "<prefix><name>: <value>\r\n". The caller vouches for the name (a token) and the
  // value (no line break): what a parser handed over.
  void add(std::string_view prefix, std::string_view name, std::string_view value) {
    // Most heads fit: one allocation rather than one per doubling.
    if (text_.capacity() < 512) text_.reserve(512);
    const size_t at = text_.size();
    // Sized once and copied into, rather than five appends.
    text_.resize(at + prefix.size() + name.size() + 2 + value.size() + 2);
    char* out = text_.data() + at;
    out = std::copy(prefix.begin(), prefix.end(), out);
    out = std::copy(name.begin(), name.end(), out);
    *out++ = ':';
    *out++ = ' ';
    out = std::copy(value.begin(), value.end(), out);
    *out++ = '\r';
    *out = '\n';
  }

  const std::string& text() const { return text_; }
  bool empty() const { return text_.empty(); }

  // Which of `names` are among the fields: bit i set for names[i] (compared case-insensitively,
  // at most 32 names). One pass, whatever the number of names.
  uint32_t which_of(std::initializer_list<std::string_view> names) const {
    uint32_t found = 0;
    // A line holds a name when the name is followed by its ':' (names hold none): no search for
    // each line's colon.
    for (std::string_view rest = text_; !rest.empty();) {
      const size_t eol = rest.find('\n');
      const std::string_view line = rest.substr(0, eol);
      uint32_t bit = 1;
      for (std::string_view n : names) {
        if (line.size() > n.size() && line[n.size()] == ':' &&
            boost::beast::iequals(line.substr(0, n.size()), n)) {
          found |= bit;
        }
        bit <<= 1;
      }
      rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    }
    return found;
  }

  // Removes the fields for which drop(i, name) is true (i: the field's place, from 0, as added).
  // Rewrites the text only when one is removed.
  template <class Drop>
  void erase_if(Drop drop) {
    bool any = false;
    for_each([&](size_t i, std::string_view name) { any = any || drop(i, name); });
    if (!any) return;
    std::string out;
    out.reserve(text_.size());
    for_each([&](size_t i, std::string_view name) {
      if (drop(i, name)) return;
      const size_t begin = static_cast<size_t>(name.data() - text_.data());
      out.append(text_, begin, text_.find('\n', begin) + 1 - begin);
    });
    text_ = std::move(out);
  }

 private:
  // f(i, name) for each field in order. A name holds no ':' and a line ends at its '\n'.
  template <class F>
  void for_each(F f) const {
    std::string_view rest = text_;
    for (size_t i = 0; !rest.empty(); ++i) {
      const size_t colon = rest.find(':');
      f(i, rest.substr(0, colon));
      rest.remove_prefix(rest.find('\n', colon) + 1);
    }
  }

  std::string text_;
};

}  // namespace gatehouse::http
