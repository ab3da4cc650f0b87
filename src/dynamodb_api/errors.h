// DynamoDB's error answers: the exception type, its namespace and HTTP status, and the JSON body
// DynamoDB writes ({"__type": "<namespace>#<Name>", "message": "..."}; "Message" for the two
// types whose body spells it so; the old item on a failed condition; the reasons of a cancelled
// transaction). One place maps the store's errors onto them.
//
// Thread safety: value types and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "store/operations.h"

namespace gatehouse::dynamodb_api {

enum class ErrorType {
  // com.amazon.coral.service
  kSerialization,
  kUnknownOperation,
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kInvalidSignature,
  kUnrecognizedClient,
  kRequestEntityTooLarge,  // 413
  kAccessDenied,
  // com.amazon.coral.validate
  kValidation,
  // com.amazonaws.dynamodb.v20120810
  kResourceNotFound,
  kResourceInUse,
  kConditionalCheckFailed,
  kTransactionCanceled,
  kIdempotentParameterMismatch,
  kLimitExceeded,
  kThrottling,  // the store's write queue is full (SDKs retry it)
  kInternalServerError,
};

struct ApiError {
  ErrorType type = ErrorType::kInternalServerError;
  std::string message;  // empty: the body has no message (SerializationException, unknown ops)
  std::optional<store::Item> item;                 // kConditionalCheckFailed
  std::vector<store::CancellationReason> reasons;  // kTransactionCanceled
};

// "com.amazon.coral.validate#ValidationException" and so on.
std::string type_string(ErrorType type);
unsigned status_of(ErrorType type);
// The JSON body.
std::string error_body(const ApiError& error);
// The store's error as DynamoDB answers it.
ApiError from_store(store::DbError error);

inline ApiError validation(std::string message) {
  return {ErrorType::kValidation, std::move(message), {}, {}};
}
inline ApiError serialization(std::string message = {}) {
  return {ErrorType::kSerialization, std::move(message), {}, {}};
}

}  // namespace gatehouse::dynamodb_api
