#include "store/decimal.h"

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace gatehouse::store {
namespace {

using boost::multiprecision::cpp_int;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string to_message(NumberError error, std::string_view text) {
  switch (error) {
    case NumberError::kNotANumber:
      return "The parameter cannot be converted to a numeric value: " + std::string(text);
    case NumberError::kOverflow:
      return "Number overflow. Attempting to store a number with magnitude larger than supported "
             "range";
    case NumberError::kUnderflow:
      return "Number underflow. Attempting to store a number with magnitude smaller than "
             "supported range";
    case NumberError::kTooManyDigits:
      break;
  }
  return "Attempting to store more than 38 significant digits in a Number";
}

Decimal::Decimal(bool negative, std::string digits, int exponent)
    : negative_(negative), digits_(std::move(digits)), exponent_(exponent) {}

core::Result<Decimal, NumberError> Decimal::parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string mantissa;
  int64_t fraction_digits = 0;
  bool point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (is_digit(c)) {
      // Leading zeros are not kept: a megabyte of them costs nothing.
      if (!(mantissa.empty() && c == '0')) mantissa.push_back(c);
      if (point) ++fraction_digits;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  const size_t mantissa_end = i;
  const size_t sign_length = text.size() > 0 && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  const size_t written_digits = mantissa_end - sign_length - (point ? 1 : 0);
  if (written_digits == 0) return core::unexpected(NumberError::kNotANumber);

  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    size_t first = i;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      // DynamoDB reads the exponent as a 64-bit integer: one past it is not a number at all.
      int digit = text[i] - '0';
      if (exponent > (INT64_MAX - digit) / 10) return core::unexpected(NumberError::kNotANumber);
      exponent = exponent * 10 + digit;
    }
    if (i == first) return core::unexpected(NumberError::kNotANumber);
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return core::unexpected(NumberError::kNotANumber);
  // Far past the range whatever the digits, and small enough that the sums below cannot wrap.
  exponent = std::clamp<int64_t>(exponent, -1'000'000'000'000, 1'000'000'000'000);

  if (mantissa.empty()) {
    // DynamoDB checks a zero by its written exponent: 0e126 overflows, 0.0e126 (0e125) does not.
    int64_t leading = exponent - fraction_digits;
    if (leading > kMaxNumberExponent) return core::unexpected(NumberError::kOverflow);
    if (leading < kMinNumberExponent) return core::unexpected(NumberError::kUnderflow);
    return Decimal();
  }
  // The mantissa's digits stand for mantissa × 10^(exponent - fraction_digits).
  size_t significant = mantissa.find_last_not_of('0') + 1;
  int64_t scale = exponent - fraction_digits + static_cast<int64_t>(mantissa.size() - significant);
  mantissa.resize(significant);
  int64_t leading = scale + static_cast<int64_t>(significant) - 1;
  if (leading > kMaxNumberExponent) return core::unexpected(NumberError::kOverflow);
  if (leading < kMinNumberExponent) return core::unexpected(NumberError::kUnderflow);
  if (significant > static_cast<size_t>(kMaxNumberDigits)) {
    return core::unexpected(NumberError::kTooManyDigits);
  }
  return Decimal(negative, std::move(mantissa), static_cast<int>(scale));
}

std::string Decimal::to_string() const {
  if (is_zero()) return "0";
  std::string out = negative_ ? "-" : "";
  if (exponent_ >= 0) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_), '0');
    return out;
  }
  int64_t integer_digits = static_cast<int64_t>(digits_.size()) + exponent_;
  if (integer_digits > 0) {
    out.append(digits_, 0, static_cast<size_t>(integer_digits));
    out += '.';
    out.append(digits_, static_cast<size_t>(integer_digits));
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-integer_digits), '0');
    out += digits_;
  }
  return out;
}

Decimal Decimal::negated() const {
  Decimal out = *this;
  if (!out.is_zero()) out.negative_ = !out.negative_;
  return out;
}

int compare(const Decimal& a, const Decimal& b) {
  auto sign = [](const Decimal& d) { return d.is_zero() ? 0 : d.negative_ ? -1 : 1; };
  int sa = sign(a), sb = sign(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  // Same sign: compare magnitudes, by the leading digit's exponent, then digit by digit (no
  // trailing zeros, so a prefix is the smaller).
  int magnitude = 0;
  if (a.leading_exponent() != b.leading_exponent()) {
    magnitude = a.leading_exponent() < b.leading_exponent() ? -1 : 1;
  } else {
    int c = a.digits_.compare(b.digits_);
    magnitude = c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return sa < 0 ? -magnitude : magnitude;
}

core::Result<Decimal, NumberError> add(const Decimal& a, const Decimal& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  // Both are in range, so aligning them costs at most 10^(125 + 130 + 37): no runaway scale.
  const int scale = std::min(a.exponent_, b.exponent_);
  auto scaled = [scale](const Decimal& d) {
    cpp_int v(d.digits_);
    v *= boost::multiprecision::pow(cpp_int(10), static_cast<unsigned>(d.exponent_ - scale));
    return d.negative_ ? cpp_int(-v) : v;
  };
  cpp_int sum = scaled(a) + scaled(b);
  if (sum == 0) return Decimal();
  bool negative = sum < 0;
  std::string digits = cpp_int(boost::multiprecision::abs(sum)).str();
  size_t significant = digits.find_last_not_of('0') + 1;
  int64_t exponent = scale + static_cast<int64_t>(digits.size() - significant);
  digits.resize(significant);
  int64_t leading = exponent + static_cast<int64_t>(significant) - 1;
  if (leading > kMaxNumberExponent) return core::unexpected(NumberError::kOverflow);
  if (leading < kMinNumberExponent) return core::unexpected(NumberError::kUnderflow);
  // DynamoDB reports a result that needs more than 38 digits as an overflow (1E50 + 1).
  if (significant > static_cast<size_t>(kMaxNumberDigits)) {
    return core::unexpected(NumberError::kOverflow);
  }
  return Decimal(negative, std::move(digits), static_cast<int>(exponent));
}

core::Result<Decimal, NumberError> subtract(const Decimal& a, const Decimal& b) {
  return add(a, b.negated());
}

size_t Decimal::byte_size() const {
  if (is_zero()) return 1;
  // Split the significant digits at the decimal point, then drop the zeros next to it that only
  // place the others: 120 has the integer digits "12", 0.05 the fraction digits "5".
  const int64_t integer_length = static_cast<int64_t>(digits_.size()) + exponent_;
  std::string_view digits = digits_;
  std::string_view integer =
      integer_length <= 0
          ? std::string_view()
          : digits.substr(0, static_cast<size_t>(std::min<int64_t>(
                                 integer_length, static_cast<int64_t>(digits.size()))));
  std::string_view fraction =
      integer_length >= static_cast<int64_t>(digits.size())
          ? std::string_view()
          : digits.substr(static_cast<size_t>(std::max<int64_t>(integer_length, 0)));
  while (!integer.empty() && integer.back() == '0')
    integer.remove_suffix(1);
  auto half_up = [](size_t n) { return (n + 1) / 2; };
  return 1 + half_up(integer.size()) + half_up(fraction.size()) + (negative_ ? 1 : 0);
}

std::string Decimal::key_bytes() const {
  if (is_zero()) return std::string(1, '\x01');
  std::string out;
  out.reserve(3 + kMaxNumberDigits);
  out.push_back(negative_ ? '\x00' : '\x02');
  const unsigned biased = static_cast<unsigned>(leading_exponent() + 256);  // 126..381
  out.push_back(static_cast<char>(biased >> 8));
  out.push_back(static_cast<char>(biased & 0xFF));
  out += digits_;
  out.append(static_cast<size_t>(kMaxNumberDigits) - digits_.size(), '0');
  if (negative_) {
    // A larger magnitude is a smaller number.
    for (size_t i = 1; i < out.size(); ++i)
      out[i] = static_cast<char>(0xFF - static_cast<unsigned char>(out[i]));
  }
  return out;
}

}  // namespace gatehouse::store
