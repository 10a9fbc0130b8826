// What a benchmark reports of a process: the component's RSS and CPU time from /proc, the
// generator's own CPU time, both over a measured phase; and pinning to one CPU, so that
// the generator and the component do not share a core. Linux only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>

namespace legate::bench {

struct ProcStats {
  long peak_rss_kb = -1;    // VmHWM
  long rss_kb = -1;         // VmRSS
  long rss_anon_kb = -1;    // RssAnon: the process's own heap and stacks, no shared libraries
  double cpu_seconds = -1;  // utime + stime
};

// Reads /proc/PID/status and /proc/PID/stat; nullopt if the process is gone.
std::optional<ProcStats> read_proc_stats(pid_t pid);

// As read_proc_stats, and nullopt when there is no pid (0: a component we were not told of).
std::optional<ProcStats> stats_of(pid_t pid);

// This process's CPU time (user + system), in seconds.
double own_cpu_seconds();

// Pins the calling process (and what it later execs) to one CPU; false if impossible.
bool pin_to_cpu(int cpu);

// The cost of one measured phase: the component's figures on both sides of it, the wall
// time, and the generator's own CPU time.
struct PhaseCost {
  std::optional<ProcStats> before, after;  // nullopt without a pid
  double elapsed = 0;                      // seconds
  double own_cpu = 0;                      // seconds

  // The component's CPU seconds in the phase (valid when `before` and `after` are).
  double component_cpu() const { return after->cpu_seconds - before->cpu_seconds; }
};

// Runs `phase`, reading the figures of `pid` (the component) just before and just after.
PhaseCost measure_phase(pid_t pid, const std::function<void()>& phase);

// The "component CPU" line: the phase's CPU time, per `unit` over `n` of them, and the
// share of one core. Only when the component's figures are known.
void print_component_cpu(const PhaseCost& cost, double n, const char* unit);

// The "generator CPU" line: our own CPU time, per `unit` over `n` of them.
void print_generator_cpu(const PhaseCost& cost, double n, const char* unit);

}  // namespace legate::bench
