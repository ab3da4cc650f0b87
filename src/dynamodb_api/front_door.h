// What DynamoDB checks of a request before any operation sees it, in DynamoDB's order: the method
// and path (GET is a health check, a browser's preflight is answered, anything else that is not
// a POST is 404), the content type, the JSON body, the X-Amz-Target, the SigV4 Authorization,
// and a body that is not empty. Pure: the request and the time in, the verdict out.
//
// Signatures. Without credentials configured, any well-formed SigV4 Authorization is accepted, as
// DynamoDB Local does: clients sign with whatever they hold. With credentials, the access key id
// must be the configured one and the signature must verify over the request as received, dated
// within 15 minutes of now.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "aws/sigv4.h"
#include "core/clock.h"
#include "dynamodb_api/errors.h"
#include "http/message.h"

namespace gatehouse::dynamodb_api {

struct FrontDoorOptions {
  std::string region = "us-east-1";
  std::optional<aws::Credentials> credentials;  // set: verify every signature
};

// An answer the front door gives by itself.
struct DoorAnswer {
  unsigned status = 200;
  std::string content_type;  // empty: none
  std::string body;
  bool cors_preflight = false;
};

// A request for an operation, with its body parsed.
struct Call {
  std::string operation;  // "PutItem", from X-Amz-Target's "DynamoDB_20120810.PutItem"
  boost::json::object body;
  // The response's content type: the request's (application/x-amz-json-1.0 or application/json).
  std::string content_type;
};

using Verdict = std::variant<Call, DoorAnswer, ApiError>;

// `now` is the wall-clock time the signature's date is checked against. `content_type` of an
// ApiError answer: callers use the request's accepted type or application/x-amz-json-1.0.
Verdict admit(const http::Request& request, const FrontDoorOptions& options, core::SystemTime now);

// DynamoDB's content type for the request: "application/x-amz-json-1.0" or "application/json"
// when the request's base type is one of them, else "".
std::string accepted_content_type(const http::Request& request);

}  // namespace gatehouse::dynamodb_api
