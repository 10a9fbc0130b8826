// IrcClient: TCP/TLS connection, registration, reading and throttled writing.
#include "irc_client.hpp"

#include <spdlog/spdlog.h>

#include <openssl/evp.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

#include "irc_text.hpp"

namespace irc {
namespace {

using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

// A line a server may send, tags included (IRCv3 allows 8191 bytes of tags); anything
// longer ends the connection rather than growing the buffer.
constexpr std::size_t kMaxRead = 16 * 1024;

ssl::context& tls_context(bool verify) {
  static ssl::context checked = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_default_verify_paths();
    c.set_verify_mode(ssl::verify_peer);
    return c;
  }();
  static ssl::context unchecked = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_verify_mode(ssl::verify_none);
    return c;
  }();
  return verify ? checked : unchecked;
}

// What a numeric during registration means for the user.
std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> registration_failure(const IrcLine& line) {
  if (line.command == "464") return "the server password was refused";
  if (line.command == "465") return "banned from this server: " + std::string(line.param(1));
  if (line.command == "ERROR")
    return "the server closed the connection: " + std::string(line.param(0));
  return std::nullopt;
}

}  // namespace

struct IrcClient::Stream {
  explicit Stream(asio::any_io_executor executor)
      : socket(executor), resolver(executor), watchdog(executor), throttle(executor) {}
  tcp::socket socket;
  std::optional<ssl::stream<tcp::socket&>> tls;
  tcp::resolver resolver;
  asio::steady_timer watchdog;  // the connect deadline
  asio::steady_timer throttle;
  bool timed_out = false;
};

IrcClient::IrcClient(asio::any_io_executor executor, IrcServer server)
    : server_(std::move(server)),
      stream_(std::make_unique<Stream>(executor)),
      nick_(server_.nick),
      tokens_(server_.burst) {
  if (server_.burst == 0) server_.burst = tokens_ = 1;  // stored data may say 0
  if (server_.ports.empty())
    server_.ports = {server_.tls ? std::uint16_t(6697) : std::uint16_t(6667)};
  // Names were checked when the user set them; data from elsewhere falls back to UTF-8.
  try {
    if (!server_.encoding_in.empty()) decode_.emplace(server_.encoding_in, "UTF-8");
    if (!server_.encoding_out.empty() && server_.encoding_out != "UTF-8")
      encode_.emplace("UTF-8", server_.encoding_out + "//TRANSLIT");
  } catch (const std::invalid_argument& e) {
    spdlog::warn("{}: {}", server_.host, e.what());
  }
}

std::string IrcClient::encoded(std::string line) {
  if (!encode_) return line;
  std::optional<std::string> converted = encode_->convert(line);
  return converted ? std::move(*converted) : std::move(line);  // unconvertible: as UTF-8
}

IrcClient::~IrcClient() = default;

bool IrcClient::open() const {
  return stream_->socket.is_open();
}

void IrcClient::close() {
  boost::system::error_code ignored;
  stream_->socket.shutdown(tcp::socket::shutdown_both, ignored);
  stream_->socket.close(ignored);
  stream_->throttle.cancel();
}

asio::awaitable<void> IrcClient::connect_socket() {
  Stream& s = *stream_;
  boost::system::error_code last;
  for (std::uint16_t port : server_.ports) {
    auto [resolve_ec, endpoints] = co_await s.resolver.async_resolve(
        server_.host, std::to_string(port), asio::as_tuple(asio::use_awaitable));
    if (resolve_ec) throw boost::system::system_error(resolve_ec);  // the same for any port
    auto [ec, endpoint] = co_await asio::async_connect(
        s.socket, endpoints, [&s](const auto&, const auto&) { return !s.timed_out; },
        asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      port_ = port;
      co_return;
    }
    if (s.timed_out) break;
    spdlog::debug("{}:{}: {}", server_.host, port, ec.message());
    last = ec;
  }
  throw boost::system::system_error(last ? last : asio::error::operation_aborted);
}

asio::awaitable<void> IrcClient::connect(std::chrono::seconds timeout) {
  Stream& s = *stream_;
  s.watchdog.expires_after(timeout);
  s.watchdog.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->stream_->timed_out = true;
    self->stream_->resolver.cancel();
    self->close();
  });
  try {
    co_await connect_socket();
    s.socket.set_option(tcp::no_delay(true));  // one line, one segment: no 40 ms stalls
    if (server_.tls) {
      auto& tls = s.tls.emplace(s.socket, tls_context(server_.verify_certificate));
      if (!SSL_set_tlsext_host_name(tls.native_handle(), server_.host.c_str()))
        throw std::runtime_error("cannot set the TLS server name");
      if (server_.verify_certificate)
        tls.set_verify_callback(ssl::host_name_verification(server_.host));
      co_await tls.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    }
    register_user();
    while (true) {
      const std::optional<IrcLine> line = co_await next_line();
      if (line->command == "001") {
        if (!line->param(0).empty()) nick_ = std::string(line->param(0));
        for (const std::string& command : server_.after_connect) {  // one line each
          const std::string_view line =
              std::string_view(command).substr(0, command.find_first_of("\r\n"));
          if (!line.empty() && line.size() <= kMaxLine - 2) send(std::string(line) + "\r\n");
        }
        break;
      } else if (line->command == "433" || line->command == "432" || line->command == "437") {
        if (nick_.size() >= 30) throw std::runtime_error("no nick available on this server");
        nick_ += '_';  // taken (or refused): the next try
        send(irc_command("NICK", {nick_}));
      } else if (sasl_step(*line)) {
        continue;
      } else if (auto failure = registration_failure(*line)) {
        throw std::runtime_error(*failure);
      }
    }
  } catch (const std::exception& e) {
    s.watchdog.cancel();
    close();
    if (s.timed_out)
      throw std::runtime_error(server_.host + ": no welcome within " +
                               std::to_string(timeout.count()) + " s");
    if (auto* system = dynamic_cast<const boost::system::system_error*>(&e))
      throw std::runtime_error(server_.host + ": " + system->code().message());
    throw std::runtime_error(server_.host + ": " + e.what());
  }
  s.watchdog.cancel();
}

void IrcClient::register_user() {
  // CAP REQ first: the server holds the registration until CAP END (after SASL).
  if (!server_.sasl_password.empty()) send(irc_command("CAP", {"REQ"}, "sasl"));
  if (!server_.password.empty()) send(irc_command("PASS", {}, server_.password));
  send(irc_command("NICK", {nick_}));
  const std::string& user = server_.username.empty() ? server_.nick : server_.username;
  const std::string& real = server_.realname.empty() ? server_.nick : server_.realname;
  send(irc_command("USER", {user, "0", "*"}, real));
}

bool IrcClient::sasl_step(const IrcLine& line) {
  if (server_.sasl_password.empty()) return false;
  const std::string& c = line.command;
  if (c == "CAP" && line.param(1) == "ACK") {
    send(irc_command("AUTHENTICATE", {"PLAIN"}));
  } else if (c == "CAP" && line.param(1) == "NAK") {
    throw std::runtime_error("the server does not offer SASL");
  } else if (c == "421" && line.param(1) == "CAP") {
    throw std::runtime_error("the server does not know CAP (no SASL)");
  } else if (c == "AUTHENTICATE" && line.param(0) == "+") {
    const std::string& account = server_.sasl_account.empty() ? server_.nick : server_.sasl_account;
    const std::string encoded = base64(account + '\0' + account + '\0' + server_.sasl_password);
    // RFC: 400-byte pieces; a last piece of exactly 400 is followed by "+".
    for (std::size_t at = 0; at < encoded.size(); at += 400)
      send(irc_command("AUTHENTICATE", {std::string_view(encoded).substr(at, 400)}));
    if (encoded.size() % 400 == 0) send(irc_command("AUTHENTICATE", {"+"}));
  } else if (c == "903") {  // RPL_SASLSUCCESS
    send(irc_command("CAP", {"END"}));
  } else if (c == "902" || c == "904" || c == "905" || c == "906" || c == "908") {
    throw std::runtime_error("SASL authentication failed: " + std::string(line.param(1)));
  } else {
    return c == "CAP" || c == "900";  // other CAP replies; 900 RPL_LOGGEDIN
  }
  return true;
}

asio::awaitable<std::string> IrcClient::read_line() {
  Stream& s = *stream_;
  auto buffer = asio::dynamic_buffer(buffer_, kMaxRead);
  const std::size_t n =
      s.tls ? co_await asio::async_read_until(*s.tls, buffer, '\n', asio::use_awaitable)
            : co_await asio::async_read_until(s.socket, buffer, '\n', asio::use_awaitable);
  std::string line = buffer_.substr(0, n);
  buffer_.erase(0, n);
  co_return line;
}

asio::awaitable<std::optional<IrcLine>> IrcClient::next_line() {
  while (true) {
    std::string bytes = co_await read_line();
    Recoder* decoder = decode_ ? &*decode_ : nullptr;
    if (channel_decoder_ && !valid_utf8(bytes))
      if (auto target = parse_irc_line(bytes); target && is_channel(channel_of(*target)))
        if (Recoder* own = channel_decoder_(channel_of(*target))) decoder = own;
    const std::string raw = utf8_line(std::move(bytes), decoder);
    std::optional<IrcLine> line = parse_irc_line(raw);
    if (!line) continue;
    if (line->command != "PING") co_return line;
    send_urgent(irc_command("PONG", {}, line->param(0)));
  }
}

asio::awaitable<std::string> IrcClient::run(LineHandler handler, ChannelDecoder decoder) {
  channel_decoder_ = std::move(decoder);
  try {
    while (true) {
      const std::optional<IrcLine> line = co_await next_line();
      if (line->command == "ERROR") {
        close();
        co_return "the server closed the connection: " + std::string(line->param(0));
      }
      handler(*line);
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) throw;  // cancelled: the session ends
    close();
    if (e.code() == asio::error::not_found) co_return "a line longer than 16 KiB";
    co_return e.code().message();
  }
}

void IrcClient::send_urgent(std::string line) {
  urgent_.push_back(encoded(std::move(line)));
  send_queued();
}

void IrcClient::send(std::string line, Recoder* encoder) {
  std::optional<std::string> own = encoder ? encoder->convert(line) : std::nullopt;
  queue_.push_back(own ? std::move(*own) : encoded(std::move(line)));
  send_queued();
}

void IrcClient::send_queued() {
  if (writing_ || !open()) return;
  writing_ = true;
  asio::co_spawn(
      stream_->socket.get_executor(),
      [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->write_all(); },
      asio::detached);
}

asio::awaitable<void> IrcClient::write_all() {
  Stream& s = *stream_;
  try {
    while ((!urgent_.empty() || !queue_.empty()) && open()) {
      if (!urgent_.empty()) {  // PONGs: never behind the throttle
        std::string line = std::move(urgent_.front());
        urgent_.pop_front();
        co_await write(line);
        continue;
      }
      if (server_.interval.count() > 0) {  // a token bucket: `burst` lines, then 1/interval
        const auto now = std::chrono::steady_clock::now();
        if (tokens_ < server_.burst) {
          const auto earned = (now - refill_) / server_.interval;
          if (earned > 0) {
            tokens_ = static_cast<unsigned>(
                std::min<long long>(server_.burst, tokens_ + static_cast<long long>(earned)));
            refill_ += earned * server_.interval;
          }
        }
        if (tokens_ == 0) {
          s.throttle.expires_at(refill_ + server_.interval);
          boost::system::error_code ignored;
          co_await s.throttle.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
          continue;
        }
        if (tokens_ == server_.burst) refill_ = now;  // the bucket starts draining now
        --tokens_;
      }
      std::string line = std::move(queue_.front());
      queue_.pop_front();
      co_await write(line);
    }
  } catch (const boost::system::system_error&) {
    close();  // the reader sees it too, and says why
  }
  writing_ = false;
}

asio::awaitable<void> IrcClient::write(const std::string& line) {
  Stream& s = *stream_;
  if (s.tls)
    co_await asio::async_write(*s.tls, asio::buffer(line), asio::use_awaitable);
  else
    co_await asio::async_write(s.socket, asio::buffer(line), asio::use_awaitable);
}

asio::awaitable<void> IrcClient::quit(std::string reason) {
  if (!open()) co_return;
  send(irc_command("QUIT", {}, reason));
  asio::steady_timer wait(stream_->socket.get_executor(), std::chrono::milliseconds(20));
  for (int i = 0; i < 50 && writing_; ++i) {
    wait.expires_after(std::chrono::milliseconds(20));
    co_await wait.async_wait(asio::use_awaitable);
  }
  close();
}

}  // namespace irc
