// Child processes for the benchmarks: the component under test is forked and exec'd on a
// CPU of its own, and stopped with SIGTERM (SIGKILL when it ignores that). Linux only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace legate::bench {

// Forks and execs `argv[0]` with `argv`, pinned to `cpu` when cpu >= 0.
pid_t spawn(const std::vector<std::string>& argv, int cpu);

// True once the child has exited (reaped); `status` gets its wait status.
bool exited(pid_t pid, int& status);

// SIGTERM, then waits up to `grace`, then SIGKILL. Returns the wait status.
int terminate(pid_t pid, std::chrono::milliseconds grace);

}  // namespace legate::bench
