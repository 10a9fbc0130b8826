// IrcClient: one connection of a user to one IRC server, on Boost.Asio: TCP (optionally TLS
// with certificate checking, OpenSSL), registration (PASS, NICK, USER; another nick when the
// wanted one is taken), PINGs answered, lines read one by one (bounded: a hostile server
// cannot make it buffer without end) and written in order through a throttle that follows
// the usual server flood limits, so one user's burst never delays anybody else's.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <legate/component/asio.hpp>
#include "irc_casemap.hpp"
#include "irc_encoding.hpp"
#include "irc_isupport.hpp"
#include "irc_line.hpp"

namespace irc {

namespace asio = legate::asio;

struct IrcServer {
  std::string host;
  // Tried in order until one accepts (all with TLS or all without).
  std::vector<std::uint16_t> ports{6667};
  bool tls = false;
  bool verify_certificate = true;
  std::string nick;
  std::string password;  // the server password (PASS), if any
  // SASL PLAIN (IRCv3 CAP sasl) when a password is set: the account (default: the nick).
  // A server without SASL, or a refusal, fails the connection rather than go on unnamed.
  std::string sasl_account;
  std::string sasl_password;
  std::string username;  // USER's user name (default: the nick)
  std::string realname;  // USER's real name (default: the nick)
  // Raw lines sent after the welcome, e.g. "PRIVMSG NickServ :IDENTIFY secret".
  std::vector<std::string> after_connect;
  // Lines that are not UTF-8 are read in `encoding_in`; lines go out in `encoding_out`
  // (iconv names; usable_encoding()).
  std::string encoding_in = "ISO-8859-1";
  std::string encoding_out = "UTF-8";
  // Outgoing throttle: `burst` lines at once, then one per `interval` (0: no throttle).
  unsigned burst = 10;
  std::chrono::milliseconds interval{1000};
  // Messages of a channel's archive a joining client gets (XEP-0045 history; 0: none; MAM
  // has them all).
  std::size_t max_history = 20;
  // How the server folds names (its CASEMAPPING, learned on connecting): the keys of its
  // channels and nicks follow it, also while disconnected.
  CaseMapping case_mapping = CaseMapping::rfc1459;
};

class IrcClient : public std::enable_shared_from_this<IrcClient> {
 public:
  using LineHandler = std::function<void(const IrcLine&)>;
  // A channel's own decoder for lines that are not UTF-8 (nullptr: the server's encoding).
  using ChannelDecoder = std::function<Recoder*(std::string_view channel)>;

  IrcClient(asio::any_io_executor executor, IrcServer server);
  ~IrcClient();
  IrcClient(const IrcClient&) = delete;
  IrcClient& operator=(const IrcClient&) = delete;

  // Connects and registers until the server's welcome (001). Throws std::runtime_error
  // saying why not (refused, timed out, bad certificate, banned, password…).
  asio::awaitable<void> connect(std::chrono::seconds timeout);
  // Reads lines until the connection ends, each to `handler` after PINGs are answered;
  // returns the reason it ended.
  asio::awaitable<std::string> run(LineHandler handler, ChannelDecoder decoder = {});
  // Queues one line (from irc_command()); lines go out in order, through the throttle, in
  // the server's encoding_out, or `encoder`'s (a channel's own) when given.
  void send(std::string line, Recoder* encoder = nullptr);
  // A line that must not wait behind the throttle (PONG): before the queued ones.
  void send_urgent(std::string line);
  // Sends QUIT with `reason` and closes once it is written (or after a second).
  asio::awaitable<void> quit(std::string reason);
  void close();

  const IrcServer& server() const { return server_; }
  // The port connected to (0 before).
  std::uint16_t port() const { return port_; }
  // Our nick as the server knows it (it may differ from the wanted one).
  const std::string& nick() const { return nick_; }
  void set_nick(std::string nick) { nick_ = std::move(nick); }
  // What this server said of its modes (005), for this connection.
  Isupport& isupport() { return isupport_; }
  const Isupport& isupport() const { return isupport_; }
  bool open() const;

 private:
  struct Stream;
  asio::awaitable<std::string> read_line();
  asio::awaitable<void> connect_socket();  // the first of the ports that accepts
  // The next line that parses, PINGs answered on the way (never nullopt).
  asio::awaitable<std::optional<IrcLine>> next_line();
  asio::awaitable<void> write_all();
  void send_queued();  // starts the writer unless it runs
  asio::awaitable<void> write(const std::string& line);
  void register_user();
  // One line of the SASL exchange before the welcome: handled (true), not SASL (false), or
  // a failure (std::runtime_error).
  bool sasl_step(const IrcLine& line);

  IrcServer server_;
  std::unique_ptr<Stream> stream_;
  std::string buffer_;
  std::deque<std::string> queue_;
  std::deque<std::string> urgent_;
  std::string nick_;
  Isupport isupport_;
  std::optional<Recoder> decode_;   // encoding_in → UTF-8, for lines that are not UTF-8
  std::optional<Recoder> encode_;   // UTF-8 → encoding_out, unless that is UTF-8
  ChannelDecoder channel_decoder_;  // while run() reads
  std::string encoded(std::string line);
  bool writing_ = false;
  std::uint16_t port_ = 0;
  unsigned tokens_;
  std::chrono::steady_clock::time_point refill_;
};

}  // namespace irc
