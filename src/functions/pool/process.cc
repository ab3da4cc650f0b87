#include "functions/pool/process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace gatehouse::functions::pool {
namespace {

int pidfd_open(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

core::Result<StartedProcess> start_process(const ProcessSpec& spec) {
  // Everything the child needs is prepared before the fork: after it, async-signal-safe calls only.
  std::vector<std::string> env = spec.env;
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2] = {-1, -1}, err[2] = {-1, -1}, status_pipe[2] = {-1, -1};
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto close_all = [&] {
    for (int fd : {out[0], out[1], err[0], err[1], status_pipe[0], status_pipe[1], devnull})
      if (fd >= 0) ::close(fd);
  };
  auto fail = [&](std::string why) -> core::Status {
    close_all();
    return core::Status(core::Code::kUnavailable, std::move(why));
  };
  if (devnull < 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(status_pipe, O_CLOEXEC) != 0) {
    return fail(fmt::format("pipe: {}", std::strerror(errno)));
  }
  const pid_t parent = ::getpid();
  const char* dir = spec.working_dir.c_str();
  pid_t pid = ::fork();
  if (pid < 0) return fail(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    // Child: async-signal-safe calls only until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    // Nothing else of ours (listeners, database files) may leak into the function.
    ::syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    int e = 0;
    if (::chdir(dir) != 0) {
      e = errno;
    } else {
      ::execvpe(argv[0], argv.data(), envp.data());
      e = errno;
    }
    ssize_t ignored = ::write(status_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  ::close(status_pipe[1]);
  ::close(devnull);
  out[1] = err[1] = status_pipe[1] = devnull = -1;
  // The status pipe closes on exec (success) or carries errno: this waits only for the exec.
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(status_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  status_pipe[0] = -1;
  if (n == sizeof child_errno) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    return fail(fmt::format("cannot run '{}' in {}: {}", spec.argv[0], spec.working_dir,
                            std::strerror(child_errno)));
  }
  int pidfd = pidfd_open(pid);
  if (pidfd < 0) {
    int e = errno;
    kill_and_reap(pid);
    return fail(fmt::format("pidfd_open: {}", std::strerror(e)));
  }
  return StartedProcess{pid, pidfd, out[0], err[0]};
}

int reap(int pidfd) {
  siginfo_t info{};
  int r;
  do {
    r = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED);
  } while (r < 0 && errno == EINTR);
  if (r != 0) return 0;
  return info.si_code == CLD_EXITED ? W_EXITCODE(info.si_status, 0) : W_EXITCODE(0, info.si_status);
}

void kill_and_reap(pid_t pid) {
  ::kill(-pid, SIGKILL);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGKILL) return "signal: killed";
    if (sig == SIGTERM) return "signal: terminated";
    return fmt::format("signal: {}", ::strsignal(sig));
  }
  return "unknown exit";
}

bool command_exists(const std::string& file, const std::string& working_dir) {
  if (file.find('/') != std::string::npos) {
    std::string path = file;
    if (file.front() != '/') path.insert(0, working_dir + "/");
    return ::access(path.c_str(), X_OK) == 0;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (dir.empty()) dir = ".";
    if (::access((dir + "/" + file).c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return false;
}

}  // namespace gatehouse::functions::pool
