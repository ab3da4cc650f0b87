// What a setting is when the config leaves it out. Each default is written here once: config.h
// (what users are told, docs/configuration.md) and the area that implements the setting (what
// happens in its unit tests and benchmarks) both read it, so the two cannot disagree. The reasons
// for each value are beside the config field that exposes it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gatehouse::core::defaults {

// api.limits: the API listener (http::Limits).
inline constexpr uint32_t kMaxRequestLineBytes = 8192;
inline constexpr uint32_t kMaxHeaderBytes = 16384;
inline constexpr uint64_t kMaxBodyBytes = 10 * 1024 * 1024;  // API Gateway's payload limit
inline constexpr uint32_t kHeaderTimeoutMs = 10'000;
inline constexpr uint32_t kBodyTimeoutMs = 30'000;
inline constexpr uint32_t kIdleTimeoutMs = 60'000;
inline constexpr uint32_t kMaxPipelinedRequests = 16;
inline constexpr uint32_t kMaxConnections = 10'000;

// A jwt authorizer (auth::jwt::VerifyOptions).
inline constexpr uint32_t kJwtLeewayS = 30;
inline constexpr uint32_t kMaxTokenBytes = 8192;

// A jwt authorizer's fetched keys (auth::jwks, http::FetchOptions); API Gateway's figures.
inline constexpr uint32_t kJwksRefreshIntervalS = 3600;
inline constexpr uint32_t kJwksRetryIntervalS = 30;
inline constexpr uint32_t kJwksRefetchMinIntervalS = 30;
inline constexpr uint32_t kJwksFetchTimeoutMs = 1500;
inline constexpr uint64_t kMaxJwksBytes = 150'000;

// Every authorizer's decision cache (auth::cache::CacheOptions); API Gateway's TTL.
inline constexpr uint32_t kAuthorizerCacheTtlS = 300;
inline constexpr uint32_t kAuthorizerCacheMaxEntries = 10'000;

// crud integrations and their tables (gateway::CrudRoute, store::ListQuery).
inline constexpr uint32_t kCrudPageLimit = 100;
inline constexpr uint32_t kMaxCrudPageLimit =
    1000;  // a bound, not a default: ?limit= above it is 400
inline constexpr uint64_t kMaxItemBytes = 65536;

// Functions (functions::pool::WorkerPool::Options) and function integrations; Lambda's and API
// Gateway's figures.
inline constexpr uint32_t kFunctionTimeoutS = 3;
inline constexpr uint32_t kFunctionMemoryMb = 128;
inline constexpr uint32_t kFunctionMaxQueue = 1000;
inline constexpr uint32_t kIntegrationTimeoutMs = 29'000;

// The embedded issuer (issuer::Issuer::Options).
inline constexpr uint32_t kTokenLifetimeS = 86400;  // Auth0's
inline constexpr uint32_t kKeyRotationGraceS = 86400;
inline constexpr uint32_t kMaxFailuresPerClient = 10;
inline constexpr uint32_t kMaxFailuresPerPeer = 20;
inline constexpr uint32_t kRateLimitWindowS = 60;

// Method ARNs and Lambda's environment (AWS_REGION): any region and account; these are AWS's
// documentation examples, so policies written for AWS keep matching.
inline constexpr const char* kRegion = "us-east-1";
inline constexpr const char* kAccountId = "123456789012";

}  // namespace gatehouse::core::defaults
