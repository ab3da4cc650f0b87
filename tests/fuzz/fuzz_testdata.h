// Reading fixtures from testdata/ in fuzz targets: $GH_TESTDATA, else the source tree's copy
// (GH_TESTDATA_DIR, set by tests/fuzz/CMakeLists.txt). A missing fixture aborts at start-up.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/files.h"

namespace gatehouse::fuzz {

inline std::string read_testdata(std::string_view relative) {
  const char* env = std::getenv("GH_TESTDATA");
  std::string path = std::string(env != nullptr && *env != '\0' ? env : GH_TESTDATA_DIR) + "/" +
                     std::string(relative);
  auto text = core::read_file(path, 1 << 20);
  if (!text) {
    std::fprintf(stderr, "fuzz: %s\n", text.error().to_string().c_str());
    std::abort();
  }
  return std::move(*text);
}

}  // namespace gatehouse::fuzz
