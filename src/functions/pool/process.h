// A worker's process: started with fork and exec in its own process group, its stdout and stderr
// on pipes, a pidfd to wait on; and the words for how it ended. Nothing here knows about Lambda.
//
// Thread safety: free functions; start_process() forks, so call it without holding locks that
// the child could need (it execs at once and touches nothing of ours).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/status.h"

namespace gatehouse::functions::pool {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::vector<std::string> env;   // "NAME=value", the whole environment
  std::string working_dir;        // the child's cwd
};

// A started process. The descriptors are the caller's to close (or to hand to asio).
struct StartedProcess {
  pid_t pid = -1;  // also its process group id
  int pidfd = -1;
  int stdout_fd = -1;  // read ends
  int stderr_fd = -1;
};

// Forks and execs spec in a new process group with stdin on /dev/null, SIGKILL when this process
// dies (PR_SET_PDEATHSIG), the signal mask and SIGPIPE reset, and no descriptor of ours beyond
// 0-2. Returns once the exec has happened or failed: an error names the reason ("cannot run
// 'node' in /srv/fn: No such file or directory", "fork: ...").
core::Result<StartedProcess> start_process(const ProcessSpec& spec);

// Reaps the exited process behind pidfd and returns its wait status (0 if it cannot be read).
// A pid may be reused; a pidfd names exactly one process.
int reap(int pidfd);

// Kills process group pid with SIGKILL and reaps its leader (blocking until it is gone).
void kill_and_reap(pid_t pid);

// "exit status 1" / "signal: killed", as Lambda words Runtime.ExitError.
std::string describe_exit(int status);

// Whether `file` names an executable: a path (a relative one from working_dir, where it is run),
// or the first match in PATH.
bool command_exists(const std::string& file, const std::string& working_dir);

}  // namespace gatehouse::functions::pool
