// DynamoDB's operations on the embedded engine: each reads its request body (request_reader.h),
// runs on the engine and writes DynamoDB's answer. Reads answer before run() returns; writes
// answer on the engine's writer thread once durable.
//
// Thread safety: run() from any thread at once.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "dynamodb_api/errors.h"
#include "dynamodb_api/front_door.h"
#include "store/sqlite/engine.h"

namespace gatehouse::dynamodb_api {

struct OperationContext {
  store::sqlite::Engine& engine;
  std::string region;
  std::string account_id;
};

// The answer's JSON body, or the error to answer with. Called exactly once.
using Respond = std::function<void(core::Result<std::string, ApiError>)>;

// Whether `name` is an operation run() serves: the front door admits exactly these.
bool is_operation(std::string_view name);

// Requires: is_operation(call.operation).
void run(const OperationContext& context, const Call& call, Respond respond);

}  // namespace gatehouse::dynamodb_api
