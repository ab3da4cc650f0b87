#include "store/decimal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gatehouse::store {
namespace {

Decimal num(std::string_view text) {
  auto d = Decimal::parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d ? *d : Decimal();
}

NumberError error_of(std::string_view text) {
  auto d = Decimal::parse(text);
  EXPECT_FALSE(d.has_value()) << text << " parsed as " << (d ? d->to_string() : "");
  return d ? NumberError::kNotANumber : d.error();
}

// Numbers from the most negative to the largest DynamoDB holds, each above the one before.
const std::vector<std::string> kAscending = {"-1e125",
                                             "-100",
                                             "-99.99",
                                             "-1",
                                             "-0.5",
                                             "-1e-130",
                                             "0",
                                             "1e-130",
                                             "0.1",
                                             "0.10000000000000000000000000000000000001",
                                             "1",
                                             "1.5",
                                             "2",
                                             "10",
                                             "99999999999999999999999999999999999999",
                                             "1e38",
                                             "9.9999999999999999999999999999999999999e125"};

// DynamoDB's grammar, and the canonical text it answers with.
TEST(Decimal, ParsesAndPrintsCanonically) {
  struct Case {
    std::string in;
    std::string out;
  };
  for (auto [in, out] : std::vector<Case>{
           {"0", "0"},
           {"-0", "0"},
           {"+0.000e5", "0"},
           {"42", "42"},
           {"0042.1200", "42.12"},
           {"+7", "7"},
           {"-3.5", "-3.5"},
           {"5.", "5"},
           {".5", "0.5"},
           {"-.05", "-0.05"},
           {"1e3", "1000"},
           {"1E+3", "1000"},
           {"1000e-3", "1"},
           {"12.5e-3", "0.0125"},
           {"123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678"},
           {"1e-130", "0." + std::string(129, '0') + "1"},
       }) {
    EXPECT_EQ(num(in).to_string(), out) << in;
  }
  EXPECT_EQ(num("1E125").to_string(), "1" + std::string(125, '0'));
  EXPECT_EQ(num("9.9999999999999999999999999999999999999E+125").to_string(),
            std::string(38, '9') + std::string(88, '0'));
}

TEST(Decimal, RefusesWhatIsNotANumber) {
  for (const char* bad : {"", " 1", "1 ", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "NaN",
                          "Infinity", "-Infinity", "0x10", "1,5", "--1", "1e5.5", "١"}) {
    EXPECT_EQ(error_of(bad), NumberError::kNotANumber) << bad;
  }
  EXPECT_EQ(to_message(NumberError::kNotANumber, "1.2.3"),
            "The parameter cannot be converted to a numeric value: 1.2.3");
}

// Magnitude within 1E-130 .. 9.99...E+125 and at most 38 significant digits, with DynamoDB's texts.
TEST(Decimal, RangeAndPrecision) {
  EXPECT_EQ(error_of("1e126"), NumberError::kOverflow);
  EXPECT_EQ(error_of("-1e126"), NumberError::kOverflow);
  EXPECT_EQ(error_of("10e125"), NumberError::kOverflow);
  EXPECT_EQ(error_of("1e2147483648"), NumberError::kOverflow);
  EXPECT_EQ(error_of("1e999999999999999"), NumberError::kOverflow);
  EXPECT_EQ(error_of("1e-131"), NumberError::kUnderflow);
  EXPECT_EQ(error_of("0.1e-130"), NumberError::kUnderflow);
  EXPECT_EQ(error_of("1e-99999999999"), NumberError::kUnderflow);
  EXPECT_EQ(error_of("1e9223372036854775808"), NumberError::kNotANumber);  // not an int64
  EXPECT_EQ(error_of("1e-9223372036854775807"), NumberError::kUnderflow);
  // A zero is checked by its written exponent, as DynamoDB does.
  EXPECT_EQ(error_of("0e126"), NumberError::kOverflow);
  EXPECT_EQ(error_of("0e-131"), NumberError::kUnderflow);
  EXPECT_EQ(num("0e125").to_string(), "0");
  EXPECT_EQ(num("0.0e126").to_string(), "0");
  EXPECT_EQ(error_of("1" + std::string(38, '1')), NumberError::kTooManyDigits);
  EXPECT_EQ(error_of("1.2345678901234567890123456789012345678901"), NumberError::kTooManyDigits);
  // Zeros around the significant digits are not counted.
  EXPECT_EQ(num("000" + std::string(38, '7') + "000.000").to_string(),
            std::string(38, '7') + "000");
  EXPECT_EQ(num("0.000" + std::string(38, '3')).to_string(), "0.000" + std::string(38, '3'));
  EXPECT_EQ(to_message(NumberError::kOverflow, ""),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
  EXPECT_EQ(to_message(NumberError::kUnderflow, ""),
            "Number underflow. Attempting to store a number with magnitude smaller than supported "
            "range");
  EXPECT_EQ(to_message(NumberError::kTooManyDigits, ""),
            "Attempting to store more than 38 significant digits in a Number");
}

TEST(Decimal, ComparesExactly) {
  const std::vector<std::string>& ascending = kAscending;
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = 0; j < ascending.size(); ++j) {
      int want = i < j ? -1 : i > j ? 1 : 0;
      EXPECT_EQ(compare(num(ascending[i]), num(ascending[j])), want)
          << ascending[i] << " vs " << ascending[j];
    }
  }
  EXPECT_EQ(num("1000"), num("1e3"));
  EXPECT_EQ(num("-0"), num("0"));
}

// Sums are exact; results DynamoDB cannot hold are refused, never rounded.
TEST(Decimal, AddsAndSubtractsExactly) {
  auto sum = [](std::string_view a, std::string_view b) { return add(num(a), num(b)); };
  EXPECT_EQ(sum("0.1", "0.2")->to_string(), "0.3");
  EXPECT_EQ(sum("1", "-1")->to_string(), "0");
  EXPECT_EQ(sum("-5", "3")->to_string(), "-2");
  EXPECT_EQ(sum("1e-130", "1e-130")->to_string(), "0." + std::string(129, '0') + "2");
  EXPECT_EQ(sum("99999999999999999999999999999999999999", "1")->to_string(),
            "1" + std::string(38, '0'));
  EXPECT_EQ(subtract(num("10"), num("0.01"))->to_string(), "9.99");
  EXPECT_EQ(subtract(num("0"), num("7"))->to_string(), "-7");
  EXPECT_EQ(sum("9e125", "9e125").error(), NumberError::kOverflow);
  EXPECT_EQ(sum("1e50", "1").error(), NumberError::kOverflow);  // needs 51 digits
  EXPECT_EQ(subtract(num("1.5e-130"), num("1e-130")).error(), NumberError::kUnderflow);
  EXPECT_EQ(sum("1e125", "-1e-130").error(), NumberError::kOverflow);
}

// DynamoDB's item-size accounting of numbers.
TEST(Decimal, ByteSize) {
  EXPECT_EQ(num("0").byte_size(), 1u);
  EXPECT_EQ(num("-0").byte_size(), 1u);
  EXPECT_EQ(num("1").byte_size(), 2u);
  EXPECT_EQ(num("12").byte_size(), 2u);
  EXPECT_EQ(num("123").byte_size(), 3u);
  EXPECT_EQ(num("120").byte_size(), 2u);
  EXPECT_EQ(num("1E125").byte_size(), 2u);
  EXPECT_EQ(num("3.14159").byte_size(), 5u);
  EXPECT_EQ(num("-3.14159").byte_size(), 6u);
  EXPECT_EQ(num("0.05").byte_size(), 2u);
  EXPECT_EQ(num(std::string(38, '9')).byte_size(), 20u);
}

// Key bytes sort as the numbers do, and equal numbers have equal bytes.
TEST(Decimal, KeyBytesSortAsNumbers) {
  const std::vector<std::string>& ascending = kAscending;
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(num(ascending[i]).key_bytes(), num(ascending[i + 1]).key_bytes())
        << ascending[i] << " < " << ascending[i + 1];
  }
  EXPECT_EQ(num("1000").key_bytes(), num("1e3").key_bytes());
  EXPECT_EQ(num("+001000.00").key_bytes(), num("1e3").key_bytes());
  EXPECT_EQ(num("-0").key_bytes(), num("0").key_bytes());
}

}  // namespace
}  // namespace gatehouse::store
