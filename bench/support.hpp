// Helpers for the benchmarks: a loopback listener, a child process spawned pinned to one
// CPU, its peak RSS and CPU time from /proc, and the clock. Linux only, header-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace legate::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Pins the calling process (and what it later execs) to one CPU; false if impossible.
inline bool pin_to_cpu(int cpu) {
  if (cpu < 0 || cpu >= static_cast<int>(std::thread::hardware_concurrency())) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

// Forks and execs `argv[0]` with `argv`, pinned to `cpu` when cpu >= 0.
inline pid_t spawn(const std::vector<std::string>& argv, int cpu) {
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

// True once the child has exited (reaped); `status` gets its wait status.
inline bool exited(pid_t pid, int& status) {
  return waitpid(pid, &status, WNOHANG) == pid;
}

// SIGTERM, then waits up to `grace`, then SIGKILL. Returns the wait status.
inline int terminate(pid_t pid, std::chrono::milliseconds grace) {
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

struct ProcStats {
  long peak_rss_kb = -1;    // VmHWM
  long rss_kb = -1;         // VmRSS
  long rss_anon_kb = -1;    // RssAnon: the process's own heap and stacks, no shared libraries
  double cpu_seconds = -1;  // utime + stime
};

// Reads /proc/PID/status and /proc/PID/stat; nullopt if the process is gone.
inline std::optional<ProcStats> read_proc_stats(pid_t pid) {
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

// Listens on 127.0.0.1:port (0: any free port, written back to `port`).
inline int listen_on(std::uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 1) != 0)
    throw std::runtime_error(std::string("cannot listen: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

// Accepts one connection (non-blocking, TCP_NODELAY); gives up at the deadline or when
// the spawned child dies (then reaped: `child` becomes 0).
inline int accept_one(int listener, pid_t& child, Clock::time_point deadline) {
  for (;;) {
    if (Clock::now() > deadline) throw std::runtime_error("timed out waiting for the component");
    int status = 0;
    if (child > 0 && exited(child, status)) {
      child = 0;
      throw std::runtime_error("the component exited before connecting (" +
                               (WIFEXITED(status)
                                    ? "exit status " + std::to_string(WEXITSTATUS(status))
                                    : "signal " + std::to_string(WTERMSIG(status))) +
                               ")");
    }
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  }
}

// This process's CPU time (user + system), in seconds.
inline double own_cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

}  // namespace legate::bench
