// The component under test, as a benchmark sees it: the loopback port it connects to, and
// the process itself, either spawned by the benchmark (on CPU 1, the generator then on
// CPU 0, so that they do not compete for a core) or started by hand and named by --pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bench/bench_server.hpp"
#include "bench/clock.hpp"
#include "bench/options.hpp"
#include "bench/proc_stats.hpp"

namespace legate::bench {

class ComponentUnderTest {
 public:
  // Listens on 127.0.0.1:--port (0: any free port), then spawns --spawn with the XEP-0114
  // settings, --log.level warn and --storage.path `database`. Without --spawn it says on
  // stderr where to connect, with `note` at the end of the parenthesis.
  ComponentUnderTest(const CommonOptions& opt, const std::string& database,
                     const std::string& note);
  // After a failure, a child still running gets SIGTERM (SIGKILL after 3 s).
  ~ComponentUnderTest();
  ComponentUnderTest(const ComponentUnderTest&) = delete;
  ComponentUnderTest& operator=(const ComponentUnderTest&) = delete;

  // Accepts the component's connection (non-blocking, TCP_NODELAY) and stops listening.
  // Gives up at the deadline, or when the spawned component dies first.
  int accept(Clock::time_point deadline);

  bool spawned() const { return child_ > 0; }
  pid_t pid() const { return pid_; }  // for the /proc figures; 0 when unknown
  std::optional<ProcStats> stats() const { return stats_of(pid_); }
  Clock::time_point spawned_at() const { return spawned_at_; }
  Clock::time_point connected_at() const { return connected_at_; }

  // Stops the spawned component: SIGTERM; it closes its stream first and we answer
  // (waiting up to `close_wait`); then it must exit (SIGKILL after 5 s). Returns its wait
  // status.
  int stop(BenchServer& server, Clock::duration close_wait);

 private:
  int listener_ = -1;
  pid_t pid_ = 0;
  pid_t child_ = 0;  // ours to stop; 0 once reaped
  Clock::time_point spawned_at_, connected_at_;
};

// The "component exit" line, when the component's wait status is not a clean exit.
void report_exit_status(int status);

}  // namespace legate::bench
