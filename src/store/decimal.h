// DynamoDB's number type (N): a decimal of at most 38 significant digits whose magnitude is 0 or
// within 1E-130 .. 9.99...9E+125 (38 nines). Parsed from DynamoDB's grammar, kept normalized, and
// compared, added and encoded exactly: never through a double.
//
// Usage:
//   auto n = Decimal::parse("0042.1200");   // 42.12
//   if (!n) return n.error();                // NumberError: DynamoDB's message for it
//   n->to_string();                          // "42.12", DynamoDB's canonical text
//   auto sum = add(*n, *Decimal::parse("1e-2"));
//
// Thread safety: a value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse::store {

enum class NumberError {
  kNotANumber,     // not in DynamoDB's number grammar
  kOverflow,       // magnitude above 9.99...9E+125
  kUnderflow,      // magnitude below 1E-130, and not 0
  kTooManyDigits,  // more than 38 significant digits
};

// DynamoDB's message for the error; `text` is the number as sent (kNotANumber quotes it).
std::string to_message(NumberError error, std::string_view text);

inline constexpr int kMaxNumberDigits = 38;
inline constexpr int kMaxNumberExponent = 125;   // of the leading digit: below 1E+126
inline constexpr int kMinNumberExponent = -130;  // of the leading digit: from 1E-130

class Decimal {
 public:
  // Zero.
  Decimal() = default;

  // DynamoDB's grammar: an optional sign, digits with at most one '.' (at least one digit in all:
  // "5." and ".5" are numbers), then optionally 'e' or 'E', an optional sign and digits. No blanks,
  // no "NaN", "Infinity" or hex. Leading and trailing zeros are not significant digits.
  static core::Result<Decimal, NumberError> parse(std::string_view text);

  // DynamoDB's canonical text: plain notation without exponent or redundant zeros ("42.12",
  // "-0.001", "1" followed by 125 zeros for 1E125), "0" for zero (also "-0").
  std::string to_string() const;

  bool is_zero() const { return digits_.empty(); }
  bool is_negative() const { return negative_; }
  Decimal negated() const;

  // -1, 0 or 1 as a compares with b, exactly.
  friend int compare(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) { return compare(a, b) == 0; }

  // The exact sum or difference; kOverflow, kUnderflow or kTooManyDigits when it is not a number
  // DynamoDB can hold (adding 1 to 1E50 needs 51 digits: DynamoDB calls that an overflow).
  friend core::Result<Decimal, NumberError> add(const Decimal& a, const Decimal& b);
  friend core::Result<Decimal, NumberError> subtract(const Decimal& a, const Decimal& b);

  // The bytes the number counts for in an item's size, as DynamoDB measures them: 1, plus one per
  // two significant digits of the integer part and of the fraction (each rounded up), plus 1 when
  // negative. 1E125 counts 2, 3.14159 counts 5, 0 counts 1.
  size_t byte_size() const;

  // A byte string whose order (memcmp, shorter first on a tie) is the numbers' order: a sign
  // class, the leading digit's exponent and the 38 digits, all inverted for negative numbers.
  // Equal numbers ("1000", "1e3", "+001000.0") give equal bytes: a key's identity.
  std::string key_bytes() const;

 private:
  Decimal(bool negative, std::string digits, int exponent);
  // The leading digit's power of ten; requires !is_zero().
  int leading_exponent() const { return exponent_ + static_cast<int>(digits_.size()) - 1; }

  bool negative_ = false;  // never for zero
  std::string digits_;     // no leading or trailing '0'; empty for zero; at most 38
  int exponent_ = 0;       // the value is digits_ × 10^exponent_
};

}  // namespace gatehouse::store
