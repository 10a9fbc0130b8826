// Registration: the step machine from a submitted form to a stored user (form, then a
// two-factor code or a QR confirmation), and its XEP-0077 front end on the gateway JID.
// The step machine is separate so that the ad-hoc `register` command can drive it too.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../component/form.hpp"
#include "../component/router.hpp"
#include "base_gateway.hpp"
#include "runtime.hpp"

namespace legate {

inline constexpr std::string_view kRegisterNs = "jabber:iq:register";

class Registration {
 public:
  explicit Registration(BaseGateway::Runtime& runtime);

  // What the user must do next.
  struct Step {
    enum class Kind { done, need_code, need_qr } kind = Kind::done;
    std::string qr_text;  // for need_qr
  };

  // The registration form, pre-filled for a registered user.
  Form form_for(const Jid& user) const;
  // Checks the submission and validate(); persists at once for the form type.
  asio::awaitable<Step> begin(const Jid& user, const Form& submitted);
  // Two-factor step: throws StanzaError for a wrong code (the user may try again).
  asio::awaitable<Step> submit_code(const Jid& user, std::string code);
  // QR step: waits for confirm_qr(); throws StanzaError on failure or timeout.
  asio::awaitable<Step> wait_for_qr(const Jid& user);
  // The bridge's confirm_qr() / fail_qr().
  void qr_confirmed(const Jid& user, QrOutcome outcome);
  // Drops an unfinished registration.
  void abandon(const Jid& user);
  // Unregisters (every way of leaving ends here): the bridge's hook, the session's logout,
  // every contact and the gateway leave the user's roster, everything of the user is deleted.
  asio::awaitable<void> remove(const Jid& user);

  // XEP-0077 on the gateway JID; the follow-up steps then happen in chat.
  void install(Router& router);

 private:
  struct Pending {
    User user;
    unsigned wrong_codes = 0;
    std::optional<QrOutcome> qr_result;  // confirm_qr() before wait_for_qr()
  };
  Router::IqPayload on_get(const Element& iq);
  asio::awaitable<Router::IqPayload> on_set(Element iq);
  asio::awaitable<void> continue_in_chat(Jid user, Step step);
  asio::awaitable<void> chat_two_factor(const Jid& user);
  asio::awaitable<void> chat_qr(const Jid& user, std::string qr_text);
  Step finish(const Jid& user);
  void leave_roster(const Jid& user, const std::vector<std::string>& contacts, bool privileged);
  void unsubscribe(const Jid& user, const std::string& contact);
  asio::awaitable<void> remove_or_unsubscribe(Jid user, std::string contact);
  Pending& pending(const Jid& user);

  BaseGateway::Runtime& rt_;
  std::map<std::string, Pending, std::less<>> pending_;  // by bare JID
};

}  // namespace legate
