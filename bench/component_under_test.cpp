// Listening for, spawning, accepting and stopping the component under test
// (component_under_test.hpp).
#include "bench/component_under_test.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "bench/child_process.hpp"

namespace legate::bench {
namespace {

// Listens on 127.0.0.1:port (0: any free port, written back to `port`).
int listen_on(std::uint16_t& port) {
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
int accept_one(int listener, pid_t& child, Clock::time_point deadline) {
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

}  // namespace

ComponentUnderTest::ComponentUnderTest(const CommonOptions& opt, const std::string& database,
                                       const std::string& note)
    : pid_(opt.pid) {
  std::uint16_t port = opt.port;
  listener_ = listen_on(port);
  spawned_at_ = Clock::now();
  if (!opt.spawn.empty()) {
    child_ = pid_ = spawn({opt.spawn, "--component.jid", opt.jid, "--component.secret", opt.secret,
                           "--component.host", "127.0.0.1", "--component.port",
                           std::to_string(port), "--log.level", "warn", "--storage.path", database},
                          opt.pin ? 1 : -1);
    if (opt.pin && !pin_to_cpu(0)) std::cerr << "warning: cannot pin the generator to CPU 0\n";
  } else {
    std::cerr << "listening on 127.0.0.1:" << port << " (jid " << opt.jid << ", secret "
              << opt.secret << note << ")\n";
  }
}

ComponentUnderTest::~ComponentUnderTest() {
  if (child_ > 0) terminate(child_, std::chrono::seconds(3));
}

int ComponentUnderTest::accept(Clock::time_point deadline) {
  const int fd = accept_one(listener_, child_, deadline);
  connected_at_ = Clock::now();
  close(listener_);
  listener_ = -1;
  return fd;
}

int ComponentUnderTest::stop(BenchServer& server, Clock::duration close_wait) {
  kill(child_, SIGTERM);
  server.close_stream(true, Clock::now() + close_wait);
  const int status = terminate(child_, std::chrono::seconds(5));
  child_ = 0;
  return status;
}

void report_exit_status(int status) {
  if (status != 0)
    std::printf("component exit     status %d (nonzero)\n",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

}  // namespace legate::bench
