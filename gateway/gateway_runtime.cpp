// GatewayRuntime: wiring a gateway to its component, and the machinery's view of it.
#include "gateway/gateway_runtime.hpp"

#include <spdlog/spdlog.h>

#include "component/muc_history.hpp"
#include "gateway/gateway_stanzas.hpp"
#include "gateway/registration.hpp"
#include "gateway/runtime.hpp"
#include "gateway/sessions.hpp"
#include "legacy/room_stanzas.hpp"

namespace legate {

// How long cancelled tasks get to unwind at shutdown: a bridge coroutine that ignores
// cancellation must not hold the exit back.
constexpr std::chrono::milliseconds kTaskUnwindLimit{1000};

BaseGateway::Runtime& GatewayRuntime::internals() {
  return gateway_.runtime();
}

Component& GatewayRuntime::component() {
  return internals().component;
}

void GatewayRuntime::detach() {
  gateway_.runtime_.reset();
}

void GatewayRuntime::cancel_background_work() {
  if (!gateway_.runtime_) return;
  BaseGateway::Runtime& rt = *gateway_.runtime_;
  rt.sessions->cancel_background_work();
  rt.component.router().tasks().cancel_all();
  rt.chat_input.cancel_all();
  rt.qr_confirmations.cancel_all();
}

asio::awaitable<void> GatewayRuntime::shutdown() {
  if (!gateway_.runtime_) co_return;
  BaseGateway::Runtime& rt = *gateway_.runtime_;
  rt.sessions->stop_logins();
  // Logins, registrations in chat, chat commands, iq handlers, bridge tasks: cancelled
  // together, and awaited (bounded) before the sessions log out.
  TaskGroup& tasks = rt.component.router().tasks();
  tasks.cancel_all();
  rt.chat_input.cancel_all();
  rt.qr_confirmations.cancel_all();
  if (!co_await tasks.join(kTaskUnwindLimit))
    spdlog::warn("shutdown: {} tasks did not end within {} ms of being cancelled", tasks.size(),
                 kTaskUnwindLimit.count());
  co_await rt.sessions->shutdown();
}

bool GatewayRuntime::is_admin(const Jid& jid) const {
  const Jid bare = jid.bare();
  for (const auto& admin : gateway_.runtime_->settings.admins)
    if (admin == bare) return true;
  return false;
}

std::shared_ptr<Session> GatewayRuntime::session_of(const Jid& user) {
  return internals().sessions->find(user.bare());
}

const GatewayInfo& GatewayRuntime::declared() const {
  return gateway_.runtime_->info;
}

const Features& GatewayRuntime::features() const {
  return gateway_.runtime_->features;
}

void GatewayRuntime::set_chat_handler(std::function<bool(const Jid&, std::string_view)> handler) {
  internals().chat_handler = std::move(handler);
}

asio::awaitable<std::optional<std::string>> GatewayRuntime::ask(const Jid& user,
                                                                std::string_view prompt,
                                                                std::chrono::seconds timeout) {
  co_return co_await internals().sessions->services().input(user.bare(), prompt, timeout);
}

std::size_t GatewayRuntime::user_count() {
  return internals().users.count();
}

std::vector<User> GatewayRuntime::all_users() {
  std::vector<User> out;
  for (auto& r : internals().users.all())
    out.push_back(User{r.jid, std::move(r.legacy_data),
                       internals().with_default_preferences(r.preferences), r.id});
  return out;
}

Registration& GatewayRuntime::registration() {
  return *internals().registration;
}

asio::awaitable<void> GatewayRuntime::remove_user(const Jid& user) {
  co_await internals().registration->remove(user);
}

void GatewayRuntime::update_preferences(const Jid& user, Json preferences) {
  internals().users.update_preferences(user.bare(), preferences);
  if (auto session = session_of(user))
    session->set_preferences(internals().with_default_preferences(preferences));
}

asio::awaitable<void> GatewayRuntime::leave_group(std::shared_ptr<Session> session, Jid room) {
  co_await internals().sessions->rooms().leave(std::move(session), std::move(room));
}

void GatewayRuntime::re_login(const Jid& user) {
  internals().sessions->re_login(user.bare());
}

std::size_t GatewayRuntime::logged_in_count() {
  return internals().sessions->logged_in_count();
}

void GatewayRuntime::attach(Component& component, Database& database, GatewaySettings settings) {
  gateway_.bridge_settings_ = settings.bridge;
  gateway_.runtime_ =
      std::make_unique<BaseGateway::Runtime>(gateway_, component, database, std::move(settings));
  const GatewayInfo& info = gateway_.runtime_->info;
  component.disco().add_identity({"gateway", info.type, info.name});
  if (!info.group_service.empty()) {
    component.disco().add_identity({"conference", info.group_service, info.name});
    component.disco().add_feature(std::string(kMucNs));
  }
  gateway_.runtime_->registration->install(component.router());
  install_gateway_stanzas(*gateway_.runtime_);
  Sessions& sessions = *gateway_.runtime_->sessions;
  component.set_entity_handler(
      [&sessions](const Element& iq) { return sessions.contacts().on_iq(iq); });
  component.router().on_iq(
      IqType::get, "vCard", "vcard-temp",
      [gateway = &gateway_, &sessions](const Element& iq) -> Router::IqPayload {
        auto to = Jid::parse(iq.attr_or("to"));
        if (to && *to == gateway->jid()) return gateway->gateway_vcard();
        return sessions.contacts().on_iq(iq);
      });
  // Contacts' PEP items (XEP-0084 avatars, XEP-0172 nicks); the gateway itself has none.
  component.router().on_iq(
      IqType::get, "pubsub", kPubsubNs,
      [gateway = &gateway_, &sessions](const Element& iq) -> Router::IqPayload {
        auto to = Jid::parse(iq.attr_or("to"));
        if (!to || !to->has_local()) throw StanzaError(ErrorCondition::service_unavailable);
        return sessions.contacts().on_iq(iq);
      });
  // Software versions: the gateway's own, contacts' (synchronous), occupants' through the
  // room's hook (asynchronous: IRC asks the user by CTCP).
  component.router().on_iq_async(
      IqType::get, "query", kVersionNs,
      [&sessions, &component](Element iq) -> asio::awaitable<Router::IqPayload> {
        auto to = Jid::parse(iq.attr_or("to"));
        if (to && to->has_local() && to->has_resource() &&
            sessions.contacts().is_room(iq.attr_or("from"), *to))
          co_return co_await sessions.contacts().occupant_version(std::move(iq));
        if (to && !to->has_local()) co_return version_query(component.version());
        co_return sessions.contacts().on_iq(iq);
      });
  // Rooms' affiliation lists (XEP-0045 §9.5); rooms are entities like contacts.
  component.router().on_iq(IqType::get, "query", kMucAdminNs, [&sessions](const Element& iq) {
    return sessions.contacts().on_iq(iq);
  });
  // Rooms' history (XEP-0313). The gateway and contacts keep none: 1:1 history is in the
  // user's own server archive (GROUPS §2).
  const auto history = [&sessions](const Element& iq) -> Router::IqPayload {
    auto to = Jid::parse(iq.attr_or("to"));
    if (!to || !to->has_local()) throw StanzaError(ErrorCondition::service_unavailable);
    return sessions.contacts().on_iq(iq);
  };
  component.router().on_iq(IqType::get, "query", kMamNs, history);
  component.router().on_iq(IqType::get, "metadata", kMamNs, history);
  // GROUPS §1.3: the gateway's disco#items lists the user's rooms (clients' room browsers).
  component.set_items_extension(
      [&sessions](const Element& iq, Element& items) { sessions.contacts().add_rooms(iq, items); });
  const auto room_request = [&sessions](Element iq) {
    return sessions.contacts().on_room_request(std::move(iq));
  };
  component.router().on_iq_async(IqType::set, "query", kMucAdminNs, room_request);
  component.router().on_iq_async(IqType::set, "query", kMucOwnerNs, room_request);
  component.router().on_iq_async(IqType::get, "query", kMucOwnerNs, room_request);
  component.router().on_iq_async(IqType::set, "query", kMamNs, room_request);  // + backfill
  component.on_connected([&sessions] { sessions.connected(); });
}

}  // namespace legate
