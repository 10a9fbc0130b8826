// AdhocCommands: the XEP-0050 front end of the command registry, on the gateway JID.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "../component/router.hpp"
#include "../gateway/command.hpp"

namespace legate {

class Commands;

inline constexpr std::string_view kCommandsNs = "http://jabber.org/protocol/commands";

class AdhocCommands {
 public:
  explicit AdhocCommands(Commands& commands);

 private:
  using Clock = std::chrono::steady_clock;
  // A multi-step command waiting for the requester's next submission.
  struct Pending {
    std::string node;
    Jid requester;  // full JID: only the resource that started it may continue
    std::optional<FormStep> form;
    std::optional<Confirmation> confirmation;
    Clock::time_point expires;
  };
  Router::IqPayload on_node(const Element& iq);  // disco#info / #items of command nodes
  asio::awaitable<Router::IqPayload> on_command(Element iq);
  asio::awaitable<Element> start(const std::string& node, std::string_view action,
                                 const Jid& requester);
  asio::awaitable<Element> resume(const std::string& node, const std::string& session_id,
                                  std::string_view action, const Element& request,
                                  const Jid& requester);
  Element respond(const std::string& node, const std::string& session_id, Outcome outcome,
                  const Jid& requester);
  void keep(const std::string& session_id, Pending pending);
  void expire_stale();
  std::string new_session_id();

  Commands& commands_;
  std::map<std::string, Pending, std::less<>> pending_;  // by session id
  std::uint64_t next_session_ = 0;
  std::mt19937_64 random_;  // session ids are not guessable, on top of the requester check
};

}  // namespace legate
