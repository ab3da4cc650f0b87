// The operations, one function each, grouped by file: tables.cc, items.cc, pages.cc. Internal to
// dynamodb_api.
#pragma once

#include "dynamodb_api/operations.h"
#include "dynamodb_api/request_reader.h"

namespace gatehouse::dynamodb_api::detail {

using Handler = void (*)(const OperationContext&, const boost::json::object&, Respond&);

// tables.cc
void create_table(const OperationContext& c, const boost::json::object& body, Respond& respond);
void describe_table(const OperationContext& c, const boost::json::object& body, Respond& respond);
void delete_table(const OperationContext& c, const boost::json::object& body, Respond& respond);
void list_tables(const OperationContext& c, const boost::json::object& body, Respond& respond);
void describe_limits(const OperationContext& c, const boost::json::object& body, Respond& respond);
void describe_endpoints(const OperationContext& c, const boost::json::object& body,
                        Respond& respond);

// items.cc
void put_item(const OperationContext& c, const boost::json::object& body, Respond& respond);
void get_item(const OperationContext& c, const boost::json::object& body, Respond& respond);
void delete_item(const OperationContext& c, const boost::json::object& body, Respond& respond);
void update_item(const OperationContext& c, const boost::json::object& body, Respond& respond);

// pages.cc
void query(const OperationContext& c, const boost::json::object& body, Respond& respond);
void scan(const OperationContext& c, const boost::json::object& body, Respond& respond);

// table_updates.cc
void update_table(const OperationContext& c, const boost::json::object& body, Respond& respond);
void update_time_to_live(const OperationContext& c, const boost::json::object& body,
                         Respond& respond);
void describe_time_to_live(const OperationContext& c, const boost::json::object& body,
                           Respond& respond);
void tag_resource(const OperationContext& c, const boost::json::object& body, Respond& respond);
void untag_resource(const OperationContext& c, const boost::json::object& body, Respond& respond);
void list_tags_of_resource(const OperationContext& c, const boost::json::object& body,
                           Respond& respond);

// batches.cc
void batch_get_item(const OperationContext& c, const boost::json::object& body, Respond& respond);
void batch_write_item(const OperationContext& c, const boost::json::object& body, Respond& respond);
void transact_get_items(const OperationContext& c, const boost::json::object& body,
                        Respond& respond);
void transact_write_items(const OperationContext& c, const boost::json::object& body,
                          Respond& respond);

// describe.cc: a TableDescription object's JSON ({"AttributeDefinitions": ..., ...}).
std::string table_description_json(const store::TableDescription& table, const OperationContext& c);
std::string table_arn(const OperationContext& c, std::string_view table);

}  // namespace gatehouse::dynamodb_api::detail
