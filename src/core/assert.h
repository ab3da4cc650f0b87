// Invariant checks. GH_ASSERT guards what cannot happen unless we have a bug (debug builds only);
// GH_CHECK guards unrecoverable conditions and aborts in every build. Neither is ever used on what
// the outside world sends: that is a value (Status) with a test.
#pragma once

namespace gatehouse::core {
[[noreturn]] void panic(const char* file, int line, const char* what);
}  // namespace gatehouse::core

#define GH_CHECK(cond)                                                \
  do {                                                                \
    if (!(cond)) ::gatehouse::core::panic(__FILE__, __LINE__, #cond); \
  } while (0)

#ifdef NDEBUG
#define GH_ASSERT(cond) \
  do {                  \
  } while (0)
#else
#define GH_ASSERT(cond) GH_CHECK(cond)
#endif
