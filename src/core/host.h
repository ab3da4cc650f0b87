// What the host gives this process.
//
// Thread safety: free functions reading the kernel's view of this process.
#pragma once

namespace gatehouse::core {

// The cores this process may run on (its affinity mask: `taskset` and cgroup cpusets narrow it),
// which is what "one per core" should count, rather than the machine's cores. At least 1.
unsigned usable_cores();

}  // namespace gatehouse::core
