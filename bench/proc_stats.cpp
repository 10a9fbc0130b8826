// Reading /proc and getrusage() for the benchmarks' RSS and CPU figures (proc_stats.hpp).
#include "bench/proc_stats.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "bench/clock.hpp"

namespace legate::bench {

std::optional<ProcStats> read_proc_stats(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream status(base + "/status");
  std::ifstream stat(base + "/stat");
  if (!status || !stat) return std::nullopt;
  ProcStats out;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) out.peak_rss_kb = std::stol(line.substr(6));
    if (line.rfind("VmRSS:", 0) == 0) out.rss_kb = std::stol(line.substr(6));
    if (line.rfind("RssAnon:", 0) == 0) out.rss_anon_kb = std::stol(line.substr(8));
  }
  std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = all.rfind(')');  // the command name may contain spaces
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(all.substr(paren + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields after the name start at field 3 (state); utime is field 14, stime 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  out.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return out;
}

std::optional<ProcStats> stats_of(pid_t pid) {
  return pid > 0 ? read_proc_stats(pid) : std::nullopt;
}

double own_cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

bool pin_to_cpu(int cpu) {
  if (cpu < 0 || cpu >= static_cast<int>(std::thread::hardware_concurrency())) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

PhaseCost measure_phase(pid_t pid, const std::function<void()>& phase) {
  PhaseCost cost;
  cost.before = stats_of(pid);
  const double own_before = own_cpu_seconds();
  const auto start = Clock::now();
  phase();
  cost.elapsed = seconds_between(start, Clock::now());
  cost.own_cpu = own_cpu_seconds() - own_before;
  cost.after = stats_of(pid);
  return cost;
}

void print_component_cpu(const PhaseCost& cost, double n, const char* unit) {
  const double cpu = cost.component_cpu();
  std::printf("component CPU      %.2f s = %.2f us/%s (%.0f%% of one core)\n", cpu, cpu * 1e6 / n,
              unit, 100 * cpu / cost.elapsed);
}

void print_generator_cpu(const PhaseCost& cost, double n, const char* unit) {
  std::printf("generator CPU      %.2f s = %.2f us/%s\n", cost.own_cpu, cost.own_cpu * 1e6 / n,
              unit);
}

}  // namespace legate::bench
