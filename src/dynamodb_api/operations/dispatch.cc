// run(): the operation's name to its handler.
#include <array>
#include <utility>

#include "dynamodb_api/operations/handlers.h"

namespace gatehouse::dynamodb_api {
namespace {

using detail::Handler;

constexpr std::array<std::pair<std::string_view, Handler>, 22> kHandlers = {{
    {"BatchGetItem", detail::batch_get_item},
    {"BatchWriteItem", detail::batch_write_item},
    {"CreateTable", detail::create_table},
    {"DeleteItem", detail::delete_item},
    {"DeleteTable", detail::delete_table},
    {"DescribeEndpoints", detail::describe_endpoints},
    {"DescribeLimits", detail::describe_limits},
    {"DescribeTable", detail::describe_table},
    {"DescribeTimeToLive", detail::describe_time_to_live},
    {"GetItem", detail::get_item},
    {"ListTables", detail::list_tables},
    {"ListTagsOfResource", detail::list_tags_of_resource},
    {"PutItem", detail::put_item},
    {"Query", detail::query},
    {"Scan", detail::scan},
    {"TagResource", detail::tag_resource},
    {"TransactGetItems", detail::transact_get_items},
    {"TransactWriteItems", detail::transact_write_items},
    {"UntagResource", detail::untag_resource},
    {"UpdateItem", detail::update_item},
    {"UpdateTable", detail::update_table},
    {"UpdateTimeToLive", detail::update_time_to_live},
}};

}  // namespace

bool is_operation(std::string_view name) {
  for (const auto& entry : kHandlers) {
    if (entry.first == name) return true;
  }
  return false;
}

void run(const OperationContext& context, const Call& call, Respond respond) {
  for (const auto& [name, handler] : kHandlers) {
    if (name != call.operation) continue;
    return handler(context, call.body, respond);
  }
  respond(ApiError{ErrorType::kUnknownOperation, {}, {}, {}});
}

}  // namespace gatehouse::dynamodb_api
