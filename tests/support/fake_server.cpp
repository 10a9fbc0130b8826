// FakeServer over POSIX sockets with poll() timeouts.
#include "tests/support/fake_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "component/handshake.hpp"
#include "component/stream_error.hpp"

#include <doctest/doctest.h>

namespace legate::test {
namespace {

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

FakeServer::FakeServer(std::string component_jid, std::string secret)
    : jid_(std::move(component_jid)), secret_(std::move(secret)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 4) != 0) {
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

FakeServer::~FakeServer() {
  drop_connection();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void FakeServer::drop_connection() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FakeServer::accept_component(std::chrono::milliseconds timeout) {
  drop_connection();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd p{listen_fd_, POLLIN, 0};
  if (::poll(&p, 1, remaining_ms(deadline)) != 1) {
    reason_ = "no connection";
    return false;
  }
  fd_ = ::accept(listen_fd_, nullptr, nullptr);
  if (fd_ < 0) {
    reason_ = "accept failed";
    return false;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  parser_.emplace(*this);
  header_.reset();
  stanzas_.clear();
  stream_error_.reset();
  peer_closed_ = false;
  keepalive_bytes_ = 0;
  while (!header_) {
    if (!read_more(deadline)) {
      reason_ = "no stream header";
      return false;
    }
  }
  if (header_->attr_or("to") != jid_) {
    reason_ = "stream to '" + std::string(header_->attr_or("to")) + "'";
    inject(stream_error_bytes({StreamCondition::host_unknown, {}}));
    return false;
  }
  const std::string id = "fake-stream-" + std::to_string(port_);
  inject(
      "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns='jabber:component:accept' from='" +
      jid_ + "' id='" + id + "'>");
  auto handshake = next(remaining_ms(deadline) * 1ms);
  if (!handshake || handshake->name() != "handshake") {
    reason_ = "no handshake";
    return false;
  }
  if (handshake->text() != handshake_digest(id, secret_)) {
    reason_ = "wrong handshake digest";
    inject(stream_error_bytes({StreamCondition::not_authorized, {}}));
    return false;
  }
  inject("<handshake/>" + std::exchange(with_handshake_, {}));
  return true;
}

void FakeServer::inject(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool FakeServer::read_more(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, remaining_ms(deadline)) != 1) return false;
  char buffer[65536];
  const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    drop_connection();
    return false;
  }
  const std::string_view bytes(buffer, static_cast<std::size_t>(n));
  if (header_ && bytes.find_first_not_of(' ') == std::string_view::npos)
    keepalive_bytes_ += bytes.size();
  parser_->feed(bytes);
  return true;
}

std::optional<Element> FakeServer::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (stanzas_.empty()) {
    if (!read_more(deadline)) return std::nullopt;
  }
  Element first = std::move(stanzas_.front());
  stanzas_.pop_front();
  return first;
}

bool FakeServer::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0) {
    if (!read_more(deadline) && fd_ >= 0) return false;
  }
  return true;
}

void FakeServer::close_stream() {
  inject("</stream:stream>");
  drop_connection();
}

void FakeServer::on_stream_open(const Element& header) {
  header_ = header;
}

void FakeServer::on_stanza(Element& stanza) {
  if (stanza.is("error", kStreamsNs)) {
    stream_error_ = std::move(stanza);
    return;
  }
  stanzas_.push_back(std::move(stanza));
}

// The component must never send what the server side would refuse.
void FakeServer::on_refused_stanza(const Element& head, const StanzaRefusal& why) {
  const std::string what =
      "the component sent a stanza over the parser's limits (" + why.text + "): " + head.str();
  FAIL_CHECK(what);
}

void FakeServer::on_stream_close() {
  peer_closed_ = true;
}

}  // namespace legate::test
