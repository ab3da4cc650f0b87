#include "core/text.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gatehouse::core {
namespace {

using namespace std::string_literals;

TEST(Ascii, LowerAndTrim) {
  EXPECT_EQ(ascii_lower('A'), 'a');
  EXPECT_EQ(ascii_lower('z'), 'z');
  EXPECT_EQ(ascii_lower('\xC3'), '\xC3');
  EXPECT_EQ(ascii_lower("Bearer X-Api \xC3\x89"), "bearer x-api \xC3\x89");
  EXPECT_EQ(trim_ows(" \t token \t"), "token");
  EXPECT_EQ(trim_ows("a b"), "a b");
  EXPECT_EQ(trim_ows(" \r\n "), "\r\n");  // only spaces and tabs
  EXPECT_EQ(trim_ows("  "), "");
}

TEST(PercentDecoding, HexDigits) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  EXPECT_EQ(hex_digit_value('g'), -1);
  EXPECT_EQ(hex_digit_value('%'), -1);
}

// Strict decoding: every '%' needs two hex digits; %00 is a byte; '+' is a space only when asked.
TEST(PercentDecoding, Strict) {
  EXPECT_EQ(percent_decoded_size("a%20b"), 3u);
  EXPECT_EQ(percent_decoded_size(""), 0u);
  EXPECT_EQ(percent_decoded_size("%00"), 1u);
  for (std::string_view bad : {"%", "a%", "%4", "%zz", "%%41", "%41%", "%4g"}) {
    EXPECT_EQ(percent_decoded_size(bad), std::string_view::npos) << bad;
    EXPECT_FALSE(percent_decode(bad).has_value()) << bad;
  }
  EXPECT_EQ(percent_decode("a+b%2Bc%2fd"), "a+b+c/d");
  EXPECT_EQ(percent_decode("a+b%2Bc", {.plus_is_space = true}), "a b+c");
  EXPECT_EQ(percent_decode("%00x"), "\0x"s);
  EXPECT_EQ(percent_decode("%C3%A9"), "\xC3\xA9");
  std::string out = "/prefix/";
  append_percent_decoded("caf%C3%A9%20", out);
  EXPECT_EQ(out, "/prefix/caf\xC3\xA9 ");
}

// The decoded secret is built in one buffer: its capacity is its size's, no spare copy made.
TEST(PercentDecoding, OneBufferForTheResult) {
  auto decoded = percent_decode("s%3Dcr%2Bt+x", {.plus_is_space = true});
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, "s=cr+t x");
  EXPECT_GE(decoded->capacity(), decoded->size());
}

// Query strings: a malformed escape stays as written and decoding goes on after it.
TEST(PercentDecoding, Lenient) {
  const PercentDecoding form{.plus_is_space = true};
  EXPECT_EQ(percent_decode_lenient("a+b%20c", form), "a b c");
  EXPECT_EQ(percent_decode_lenient("a+b", {}), "a+b");
  EXPECT_EQ(percent_decode_lenient("%%41", form), "%A");
  EXPECT_EQ(percent_decode_lenient("%4", form), "%4");
  EXPECT_EQ(percent_decode_lenient("100%", form), "100%");
  EXPECT_EQ(percent_decode_lenient("%zz%41+", form), "%zzA ");
  EXPECT_EQ(percent_decode_lenient("%2B", form), "+");
  EXPECT_EQ(percent_decode_lenient("x%00y", form), "x\0y"s);
  EXPECT_EQ(percent_decode_lenient("", form), "");
}

// Three-way comparison of the decoded bytes with text, unsigned, without decoding first.
TEST(PercentDecoding, Compare) {
  EXPECT_EQ(compare_percent_decoded("notes", "notes"), 0);
  EXPECT_EQ(compare_percent_decoded("n%6Ftes", "notes"), 0);
  EXPECT_EQ(compare_percent_decoded("%2e%2E", ".."), 0);
  EXPECT_EQ(compare_percent_decoded("a+b", "a b"), 1);  // '+' is itself in a path
  EXPECT_EQ(compare_percent_decoded("note", "notes"), -1);
  EXPECT_EQ(compare_percent_decoded("notes", "note"), 1);
  EXPECT_EQ(compare_percent_decoded("%C3%A9", "z"), 1);  // 0xC3 > 'z': unsigned bytes
  EXPECT_EQ(compare_percent_decoded("", ""), 0);
}

TEST(Utf8, SequenceLength) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\0"s, 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
  for (std::string bad : {"\x80"s, "\xC0\xAF"s, "\xC1\xBF"s, "\xE0\x80\xAF"s, "\xF0\x80\x80\xAF"s,
                          "\xED\xA0\x80"s, "\xF4\x90\x80\x80"s, "\xF5\x80\x80\x80"s, "\xF8"s,
                          "\xFF"s, "\xC3"s, "\xE2\x82"s, "\xC3\x41"s}) {
    EXPECT_EQ(utf8_sequence_length(bad, 0), 0u) << testing::PrintToString(bad);
  }
}

TEST(Utf8, Validity) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain \t\r\n\0 text"s));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("caf\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));  // a lone surrogate
  EXPECT_FALSE(is_valid_utf8("ok\xC0\x80"));    // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\x89PNG"));
}

// The lenient step counts the lead byte's length, cut short where continuations stop; never 0.
TEST(Utf8, LenientCharacterLength) {
  EXPECT_EQ(utf8_char_length_lenient("a", 0), 1u);
  EXPECT_EQ(utf8_char_length_lenient("\xC3\xA9", 0), 2u);
  EXPECT_EQ(utf8_char_length_lenient("\xE0\x80\x80", 0), 3u);  // overlong, still one step
  EXPECT_EQ(utf8_char_length_lenient("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_char_length_lenient("\xE2\x82x", 0), 2u);  // cut short
  EXPECT_EQ(utf8_char_length_lenient("\x80\x80", 0), 1u);   // stray continuation
  EXPECT_EQ(utf8_char_length_lenient("\xFF\x80", 0), 1u);
  EXPECT_EQ(utf8_char_length_lenient("x\xC3\xA9", 1), 2u);
}

TEST(MediaTypes, TheTypeOfAContentType) {
  EXPECT_EQ(media_type_of("application/json"), "application/json");
  EXPECT_EQ(media_type_of(" Application/JSON ; charset=UTF-8"), "application/json");
  EXPECT_EQ(media_type_of("text/plain\t;x=1"), "text/plain");
  EXPECT_EQ(media_type_of(""), "");
  EXPECT_EQ(media_type_of("; charset=utf-8"), "");
}

TEST(MediaTypes, Parameters) {
  std::vector<std::pair<std::string, std::string>> seen;
  for_each_media_type_param(
      "text/plain; Charset = \"UTF-8\" ;novalue; a=b;empty=; q=\"",
      [&](auto name, auto value) { seen.emplace_back(std::string(name), std::string(value)); });
  std::vector<std::pair<std::string, std::string>> want = {
      {"Charset", "UTF-8"}, {"a", "b"}, {"empty", ""}, {"q", "\""}};
  EXPECT_EQ(seen, want);
  bool called = false;
  for_each_media_type_param("text/plain", [&](auto, auto) { called = true; });
  EXPECT_FALSE(called);
}

TEST(MediaTypes, Matching) {
  EXPECT_TRUE(media_type_matches("image/png", "image/png"));
  EXPECT_TRUE(media_type_matches("IMAGE/PNG; q=1", "image/*"));
  EXPECT_TRUE(media_type_matches("image/png", "*/png"));
  EXPECT_TRUE(media_type_matches("anything", "*/*"));
  EXPECT_TRUE(media_type_matches("image/png ;x", "image/png"));
  EXPECT_TRUE(media_type_matches("image/png", "Image/PNG"));
  EXPECT_FALSE(media_type_matches("image/pngx", "image/png"));
  EXPECT_FALSE(media_type_matches("text/png", "image/*"));
  EXPECT_FALSE(media_type_matches("image", "image/*"));
  EXPECT_FALSE(media_type_matches("image/png", "image"));
}

TEST(WebOrigins, SchemeHostAndPortOnly) {
  for (std::string_view o : {"https://app.example", "http://localhost:3000", "http://[::1]:8080",
                             "https://A-b.Example.com"})
    EXPECT_TRUE(is_web_origin(o)) << o;
  for (std::string_view o :
       {"null", "", "https://", "ftp://a.test", "https://a.test/", "https://a.test/app",
        "https://a.test, https://b.test", "https://a.test\tx", "//a.test", "https://user@a.test"})
    EXPECT_FALSE(is_web_origin(o)) << o;
}

}  // namespace
}  // namespace gatehouse::core
