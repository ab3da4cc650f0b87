// The environment a worker starts with, as Lambda sets it for a function (docs/functions.md): the
// platform's variables, then the function's own, which replace a platform default of the same name
// (PATH, LANG, TZ, AWS_REGION). Config refuses the names the runtime contract depends on.
//
// A pure function: what it reads from gatehouse's own environment and clock is handed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "functions/pool/worker_pool.h"

namespace gatehouse::functions::pool {

struct WorkerEnvInputs {
  uint16_t runtime_api_port = 0;              // the worker's own endpoint on 127.0.0.1
  std::string log_stream;                     // "[$LATEST]<32 hex digits>", the pool's
  std::chrono::system_clock::time_point now;  // dates the log stream name
  // gatehouse's own PATH and HOME, passed on; PATH has a default when unset.
  std::optional<std::string> path;
  std::optional<std::string> home;
};

// "NAME=value" entries, each name once.
std::vector<std::string> worker_environment(const PoolOptions& options,
                                            const WorkerEnvInputs& inputs);

}  // namespace gatehouse::functions::pool
