// DynamoDB's reserved words: the 573 words of the developer guide's "Reserved words in DynamoDB"
// page. A name written in an expression (not through a #placeholder) must not be one of them, in
// any case. Internal to store/expr.
//
// Thread safety: pure function over constant data.
#pragma once

#include <string_view>

namespace gatehouse::store::expr::detail {

// Whether `word` is reserved, compared without regard to ASCII case.
bool is_reserved_word(std::string_view word);

}  // namespace gatehouse::store::expr::detail
