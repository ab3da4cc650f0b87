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

// collection_metrics.cc: ReturnItemCollectionMetrics.
// Whether it asked for SIZE (a value outside SIZE and NONE is the reader's error).
bool read_collection_metrics(RequestReader& r);
// The ItemCollectionMetrics object for a write of `item` (or its key) to `table`, measured before
// the write; "" when the table has no local index, as DynamoDB then reports no collection.
std::string item_collection_metrics(const OperationContext& c, std::string_view table,
                                    const store::Item& item);
// BatchWriteItem's and TransactWriteItems' form: {"<table>":[metrics, ...], ...}, one object per
// write to a table with a local index, in the order of `writes`; "" when there is none.
std::string collection_metrics_by_table(
    const OperationContext& c,
    const std::vector<std::pair<std::string_view, const store::Item*>>& writes);

// describe.cc: a TableDescription object's JSON ({"AttributeDefinitions": ..., ...}).
std::string table_description_json(const store::TableDescription& table, const OperationContext& c);
std::string table_arn(const OperationContext& c, std::string_view table);

}  // namespace gatehouse::dynamodb_api::detail
