// Tables on a remote DynamoDB (tables.<name> with backend: dynamodb): their credentials from
// config or the AWS chain, a check at start that the remote table exists with the crud key (or
// its creation, with create: true), and the store::Table the crud routes use.
//
// Thread safety: called while the runtime is built, before the I/O threads run.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <vector>

#include "aws/credential_chain.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/table.h"

namespace gatehouse::gateway {

struct OpenedRemoteTable {
  std::unique_ptr<store::Table> table;
  // The key it signs with, resolved once: the functions that use the table get the same one.
  aws::ResolvedCredentials credentials;
};

// The remote crud table of `t` (which has `remote`), its calls sent from whichever of `io` runs
// the calling thread, on keep-alive connections of that thread's own. Errors name the table, the
// endpoint and what failed: no credentials (and where they were looked for), the endpoint
// unreachable or refusing the signature, the table missing (without create: true) or keyed
// otherwise than by one string attribute `t.key_attribute`.
core::Result<OpenedRemoteTable> open_remote_table(const config::Table& t,
                                                  const std::vector<boost::asio::io_context*>& io,
                                                  const core::Clock& clock);

}  // namespace gatehouse::gateway
