// The benchmarks' end of the component stream (bench_server.hpp).
#include "bench/bench_server.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <utility>

#include "component/handshake.hpp"

namespace legate::bench {

bool parse_id(std::string_view text, std::uint64_t& id) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  return ec == std::errc() && end == text.data() + text.size();
}

BenchServer::BenchServer(int fd, StreamSettings settings, Clock::time_point deadline)
    : deadline_(deadline), fd_(fd), settings_(std::move(settings)), parser_(*this) {
  buffer_.resize(settings_.read_buffer);
}

void BenchServer::on_stream_open(const legate::Element& header) {
  opened_ = true;
  if (header.attr_or("xmlns") != kComponentNs)
    protocol_error_ = "component stream header has the wrong namespace";
}

void BenchServer::on_stanza(legate::Element& stanza) {
  if (authenticated_) return on_component_stanza(stanza);
  if (stanza.name() != "handshake") protocol_error_ = "expected <handshake/>";
  handshake_ = stanza.text();
  got_handshake_ = true;
}

bool BenchServer::read_some(int poll_ms, bool eof_ok) {
  flush();
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
  if (left.count() <= 0) throw std::runtime_error("timed out");
  pollfd p{fd_, static_cast<short>(POLLIN | (out_.size() > out_off_ ? POLLOUT : 0)), 0};
  if (poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), poll_ms))) < 0 &&
      errno != EINTR)
    throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) return true;
  const ssize_t n = read(fd_, buffer_.data(), buffer_.size());
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) {
    if (eof_ok) return false;
    throw std::runtime_error("the component closed the connection");
  }
  read_at_ = Clock::now();
  if (!parser_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n))))
    throw std::runtime_error(settings_.stream_name +
                             " failed to parse: " + parser_.failure()->text);
  if (!protocol_error_.empty()) throw std::runtime_error(protocol_error_);
  return true;
}

void BenchServer::send(std::string_view bytes) {
  out_.append(bytes);
  flush();
}

void BenchServer::authenticate(const std::function<void()>& before_handshake) {
  pump([&] { return opened_; });
  const std::string id = "bench" + std::to_string(getpid());
  send(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' from='" +
      settings_.jid + "' id='" + id + "'>");
  pump([&] { return got_handshake_; });
  if (handshake_ != legate::handshake_digest(id, settings_.secret)) {
    send(
        "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
        "</stream:error></stream:stream>");
    throw std::runtime_error("wrong handshake digest from the component");
  }
  if (before_handshake) before_handshake();
  authenticated_ = true;
  send("<handshake/>");
}

void BenchServer::close_stream(bool peer_first, Clock::time_point until) {
  deadline_ = until;
  try {
    if (!peer_first) send("</stream:stream>");
    while (!closed_ && read_some(settings_.idle_poll_ms, true)) {
    }
    if (peer_first) send("</stream:stream>");
  } catch (const std::exception& e) {
    std::cerr << "warning: clean close failed: " << e.what() << "\n";
  }
}

void BenchServer::flush() {
  while (out_off_ < out_.size()) {
    const ssize_t n = write(fd_, out_.data() + out_off_, out_.size() - out_off_);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      throw std::runtime_error(std::string("write: ") + std::strerror(errno));
    }
    out_off_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  out_off_ = 0;
}

}  // namespace legate::bench
