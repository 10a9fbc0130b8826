// Forking, pinning and stopping the benchmarks' child processes (child_process.hpp).
#include "bench/child_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <thread>

#include "bench/clock.hpp"
#include "bench/proc_stats.hpp"

namespace legate::bench {

pid_t spawn(const std::vector<std::string>& argv, int cpu) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (cpu >= 0 && !pin_to_cpu(cpu)) std::fprintf(stderr, "warning: cannot pin to CPU %d\n", cpu);
    execv(args[0], args.data());
    std::perror(args[0]);
    _exit(127);
  }
  return pid;
}

bool exited(pid_t pid, int& status) {
  return waitpid(pid, &status, WNOHANG) == pid;
}

int terminate(pid_t pid, std::chrono::milliseconds grace) {
  int status = 0;
  kill(pid, SIGTERM);
  const auto until = Clock::now() + grace;
  while (Clock::now() < until) {
    if (exited(pid, status)) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr, "warning: pid %d ignored SIGTERM for %lld ms; killing it\n",
               static_cast<int>(pid), static_cast<long long>(grace.count()));
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace legate::bench
