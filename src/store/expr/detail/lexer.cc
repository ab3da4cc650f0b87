#include "store/expr/detail/lexer.h"

namespace gatehouse::store::expr::detail {
namespace {

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_word_char(char c) {
  return is_letter(c) || is_digit(c) || c == '_';
}
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The length of the UTF-8 character starting at text[i], so a bad token never splits one (the
// message quotes it); 1 for a byte that starts no valid sequence.
size_t utf8_length(std::string_view text, size_t i) {
  auto b = static_cast<unsigned char>(text[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  if (i + n > text.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (is_blank(c)) {
      ++i;
      continue;
    }
    size_t start = i;
    Tok kind = Tok::kBad;
    if (is_letter(c)) {
      while (i < text.size() && is_word_char(text[i]))
        ++i;
      kind = Tok::kWord;
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < text.size() && is_word_char(text[i]))
        ++i;
      kind = i == start + 1 ? Tok::kBad : c == '#' ? Tok::kNameRef : Tok::kValueRef;
    } else if (is_digit(c)) {
      ++i;
      if (c != '0') {
        while (i < text.size() && is_digit(text[i]))
          ++i;
      }
      kind = Tok::kInt;
    } else {
      char next = i + 1 < text.size() ? text[i + 1] : '\0';
      size_t len = 1;
      switch (c) {
        case '=':
          kind = Tok::kEq;
          break;
        case '<':
          kind = next == '>' ? Tok::kNe : next == '=' ? Tok::kLe : Tok::kLt;
          len = kind == Tok::kLt ? 1 : 2;
          break;
        case '>':
          kind = next == '=' ? Tok::kGe : Tok::kGt;
          len = kind == Tok::kGt ? 1 : 2;
          break;
        case '(':
          kind = Tok::kLParen;
          break;
        case ')':
          kind = Tok::kRParen;
          break;
        case '[':
          kind = Tok::kLBracket;
          break;
        case ']':
          kind = Tok::kRBracket;
          break;
        case ',':
          kind = Tok::kComma;
          break;
        case '.':
          kind = Tok::kDot;
          break;
        case '+':
          kind = Tok::kPlus;
          break;
        case '-':
          kind = Tok::kMinus;
          break;
        default:
          len = utf8_length(text, i);
          break;
      }
      i += len;
    }
    tokens.push_back(Token{kind, start, i});
  }
  tokens.push_back(Token{Tok::kEof, text.size(), text.size()});
  return tokens;
}

bool is_keyword(std::string_view text, const Token& token, std::string_view upper) {
  if (token.kind != Tok::kWord || token.end - token.begin != upper.size()) return false;
  for (size_t k = 0; k < upper.size(); ++k) {
    char c = text[token.begin + k];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[k]) return false;
  }
  return true;
}

std::string token_text(std::string_view text, const std::vector<Token>& tokens, size_t at) {
  const Token& t = tokens[at];
  if (t.kind == Tok::kEof) return "<EOF>";
  return std::string(text.substr(t.begin, t.end - t.begin));
}

std::string syntax_error(std::string_view text, const std::vector<Token>& tokens, size_t at) {
  size_t from = at > 0 ? tokens[at - 1].begin : tokens[at].begin;
  size_t to = at + 1 < tokens.size() ? tokens[at + 1].end : tokens[at].end;
  // At the end of input the window runs to the end of the text, blanks included.
  if (tokens[at].kind == Tok::kEof) to = text.size();
  std::string out = "Syntax error; token: \"";
  out += token_text(text, tokens, at);
  out += "\", near: \"";
  out += text.substr(from, to - from);
  out += '"';
  return out;
}

}  // namespace gatehouse::store::expr::detail
