#include "dynamodb_api/errors.h"

#include "core/json_text.h"
#include "store/json_codec.h"

namespace gatehouse::dynamodb_api {
namespace {

constexpr std::string_view kService = "com.amazon.coral.service#";
constexpr std::string_view kDynamoDb = "com.amazonaws.dynamodb.v20120810#";

// The two types whose body spells the member "Message".
bool capital_message(ErrorType type) {
  return type == ErrorType::kSerialization || type == ErrorType::kTransactionCanceled;
}

}  // namespace

std::string type_string(ErrorType type) {
  auto service = [](std::string_view name) { return std::string(kService) + std::string(name); };
  auto dynamodb = [](std::string_view name) { return std::string(kDynamoDb) + std::string(name); };
  switch (type) {
    case ErrorType::kSerialization:
      return service("SerializationException");
    case ErrorType::kUnknownOperation:
      return service("UnknownOperationException");
    case ErrorType::kMissingAuthenticationToken:
      return service("MissingAuthenticationTokenException");
    case ErrorType::kIncompleteSignature:
      return service("IncompleteSignatureException");
    case ErrorType::kInvalidSignature:
      return service("InvalidSignatureException");
    case ErrorType::kUnrecognizedClient:
      return service("UnrecognizedClientException");
    case ErrorType::kRequestEntityTooLarge:
      return service("RequestEntityTooLargeException");
    case ErrorType::kAccessDenied:
      return service("AccessDeniedException");
    case ErrorType::kValidation:
      return "com.amazon.coral.validate#ValidationException";
    case ErrorType::kResourceNotFound:
      return dynamodb("ResourceNotFoundException");
    case ErrorType::kResourceInUse:
      return dynamodb("ResourceInUseException");
    case ErrorType::kConditionalCheckFailed:
      return dynamodb("ConditionalCheckFailedException");
    case ErrorType::kTransactionCanceled:
      return dynamodb("TransactionCanceledException");
    case ErrorType::kIdempotentParameterMismatch:
      return dynamodb("IdempotentParameterMismatchException");
    case ErrorType::kLimitExceeded:
      return dynamodb("LimitExceededException");
    case ErrorType::kThrottling:
      return "com.amazon.coral.availability#ThrottlingException";
    case ErrorType::kInternalServerError:
      return dynamodb("InternalServerError");
  }
  return dynamodb("InternalServerError");
}

unsigned status_of(ErrorType type) {
  switch (type) {
    case ErrorType::kRequestEntityTooLarge:
      return 413;
    case ErrorType::kInternalServerError:
      return 500;
    default:
      return 400;
  }
}

std::string error_body(const ApiError& error) {
  std::string out = "{\"__type\":";
  core::append_json_string(out, type_string(error.type));
  if (!error.reasons.empty() || error.type == ErrorType::kTransactionCanceled) {
    out += ",\"CancellationReasons\":[";
    for (size_t i = 0; i < error.reasons.size(); ++i) {
      const store::CancellationReason& r = error.reasons[i];
      if (i > 0) out += ',';
      out += "{";
      if (r.item) {
        out += "\"Item\":";
        store::append_item_json(out, *r.item);
        out += ',';
      }
      out += "\"Code\":";
      core::append_json_string(out, r.code);
      if (!r.message.empty()) {
        out += ",\"Message\":";
        core::append_json_string(out, r.message);
      }
      out += "}";
    }
    out += "]";
  }
  if (error.item) {
    out += ",\"Item\":";
    store::append_item_json(out, *error.item);
  }
  if (!error.message.empty()) {
    out += capital_message(error.type) ? ",\"Message\":" : ",\"message\":";
    core::append_json_string(out, error.message);
  }
  out += "}";
  return out;
}

ApiError from_store(store::DbError error) {
  using store::DbErrorKind;
  ApiError out{ErrorType::kInternalServerError, std::move(error.message), std::move(error.item),
               std::move(error.reasons)};
  switch (error.kind) {
    case DbErrorKind::kValidation:
    case DbErrorKind::kEmptyKeyValue:
    case DbErrorKind::kItemTooLarge:
      out.type = ErrorType::kValidation;
      break;
    case DbErrorKind::kResourceNotFound:
      out.type = ErrorType::kResourceNotFound;
      break;
    case DbErrorKind::kResourceInUse:
      out.type = ErrorType::kResourceInUse;
      break;
    case DbErrorKind::kConditionalCheckFailed:
      out.type = ErrorType::kConditionalCheckFailed;
      break;
    case DbErrorKind::kTransactionCanceled:
      out.type = ErrorType::kTransactionCanceled;
      break;
    case DbErrorKind::kIdempotentMismatch:
      out.type = ErrorType::kIdempotentParameterMismatch;
      break;
    case DbErrorKind::kLimitExceeded:
      out.type = ErrorType::kLimitExceeded;
      break;
    case DbErrorKind::kThrottled:
      out.type = ErrorType::kThrottling;
      break;
    case DbErrorKind::kUnavailable:
    case DbErrorKind::kTimeout:
    case DbErrorKind::kDamaged:
    case DbErrorKind::kInternal:
      out.type = ErrorType::kInternalServerError;
      out.message = "Internal server error: " + out.message;
      break;
  }
  return out;
}

}  // namespace gatehouse::dynamodb_api
