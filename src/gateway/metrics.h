// The gateway's Prometheus series: requests by route and status, tables, the embedded issuer,
// functions' pools, authorizers and their caches (docs/configuration.md, Metrics). Every series
// reads a counter the runtime owns; registering copies nothing.
#pragma once

#include "gateway/runtime.h"
#include "observability/metrics.h"

namespace gatehouse::gateway {

// Adds every series of `runtime` to `registry`. Both must outlive the registry's rendering.
void register_metrics(const Runtime& runtime, observability::Registry& registry);

}  // namespace gatehouse::gateway
