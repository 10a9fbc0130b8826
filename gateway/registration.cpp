// Registration step machine and its XEP-0077 front end.
#include "gateway/registration.hpp"
#include "component/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>

#include "gateway/privileges.hpp"
#include "gateway/runtime.hpp"
#include "gateway/sessions.hpp"
#include "storage/avatar_store.hpp"
#include "storage/contact_store.hpp"

namespace legate {
namespace {

// XEP-0077's own field names: clients without data forms show these.
constexpr std::array<std::string_view, 17> kLegacyFields{
    "username", "nick", "password", "name", "first", "last", "email", "address", "city",
    "state",    "zip",  "phone",    "url",  "date",  "misc", "text",  "key"};

bool is_legacy_field(std::string_view var) {
  return std::find(kLegacyFields.begin(), kLegacyFields.end(), var) != kLegacyFields.end();
}

std::string reason(const StanzaError& e) {
  return e.text().empty() ? std::string(to_string(e.condition())) : e.text();
}

}  // namespace

Registration::Registration(BaseGateway::Runtime& runtime) : rt_(runtime) {}

Form Registration::form_for(const Jid& user) const {
  Form form;
  form.type = "form";
  form.title = rt_.info.name + " registration";
  form.instructions = {rt_.info.instructions};
  form.fields = rt_.info.registration_fields;
  auto record = rt_.users.find(user.bare());
  if (record && record->legacy_data.is_object()) {
    const auto& data = record->legacy_data.as_object();
    for (auto& field : form.fields) {
      if (field.type == FieldType::text_private) continue;  // never echo secrets back
      auto it = data.find(field.var);
      if (it != data.end() && it->value().is_string())
        field.values = {std::string(it->value().as_string())};
    }
  }
  return form;
}

Registration::Pending& Registration::pending(const Jid& user) {
  auto it = pending_.find(user.bare_str());
  if (it == pending_.end())
    throw StanzaError(ErrorCondition::unexpected_request, "no registration in progress");
  return it->second;
}

asio::awaitable<Registration::Step> Registration::begin(const Jid& user, const Form& submitted) {
  const Jid bare = user.bare();
  if (!rt_.is_allowed(bare))
    throw StanzaError(ErrorCondition::not_allowed, "this gateway is not open to " + bare.str());
  const Form definition = form_for(bare);
  if (auto error = validate_submission(definition, submitted))
    throw StanzaError(ErrorCondition::not_acceptable, error->var + ": " + error->message);
  const Form complete = with_defaults(definition, submitted);  // named: see contact_router
  Json data = co_await rt_.gateway.validate(bare, complete);

  User candidate{bare, std::move(data), boost::json::object(), 0};
  if (auto record = rt_.users.find(bare)) {
    candidate.id = record->id;
    candidate.preferences = record->preferences;
  }
  pending_[bare.str()] = Pending{std::move(candidate), 0, std::nullopt};
  switch (rt_.info.registration_type) {
    case RegistrationType::form:
      co_return finish(bare);
    case RegistrationType::two_factor:
      co_return Step{Step::Kind::need_code, {}};
    case RegistrationType::qr: {
      User copy = pending(bare).user;
      std::string text = co_await rt_.gateway.get_qr_text(copy);
      co_return Step{Step::Kind::need_qr, std::move(text)};
    }
  }
  co_return Step{};
}

asio::awaitable<Registration::Step> Registration::submit_code(const Jid& user, std::string code) {
  const Jid bare = user.bare();
  User copy = pending(bare).user;  // the map may change while the hook runs
  try {
    Json data = co_await rt_.gateway.validate_two_factor_code(copy, std::move(code));
    pending(bare).user.legacy_data = std::move(data);
  } catch (const StanzaError&) {
    auto it = pending_.find(bare.str());
    if (it != pending_.end() && ++it->second.wrong_codes >= rt_.info.two_factor_attempts) {
      pending_.erase(it);
      throw StanzaError(ErrorCondition::not_authorized, "too many wrong codes");
    }
    throw;
  }
  co_return finish(bare);
}

asio::awaitable<Registration::Step> Registration::wait_for_qr(const Jid& user) {
  const Jid bare = user.bare();
  std::optional<QrOutcome> result = std::move(pending(bare).qr_result);
  if (!result) {
    result = co_await rt_.qr_confirmations.wait(bare.str(), rt_.info.registration_timeout);
  }
  if (!result) {
    abandon(bare);
    throw StanzaError(ErrorCondition::remote_server_timeout, "the QR code was not scanned in time");
  }
  if (result->failed) {
    abandon(bare);
    throw StanzaError(ErrorCondition::not_authorized,
                      result->reason.empty() ? "the QR login failed" : result->reason);
  }
  // What the legacy side learnt from the scan (a device id, a token) replaces the data.
  if (!result->data.is_null()) pending(bare).user.legacy_data = std::move(result->data);
  co_return finish(bare);
}

void Registration::qr_confirmed(const Jid& user, QrOutcome outcome) {
  const std::string bare = user.bare_str();
  auto it = pending_.find(bare);
  if (it == pending_.end()) {
    spdlog::warn("{}: QR {} but no QR registration is pending", bare,
                 outcome.failed ? "failure" : "confirmation");
    return;
  }
  if (rt_.qr_confirmations.deliver(bare, outcome)) return;
  // Confirmed before anyone waits (a fast legacy side): keep it for wait_for_qr().
  it->second.qr_result = std::move(outcome);
}

void Registration::abandon(const Jid& user) {
  const std::string bare = user.bare_str();
  pending_.erase(bare);
  rt_.chat_input.cancel(bare);
  rt_.qr_confirmations.cancel(bare);
}

Registration::Step Registration::finish(const Jid& user) {
  auto node = pending_.extract(user.bare_str());
  User& u = node.mapped().user;
  const bool existed = u.registered();
  if (existed) {
    rt_.users.update_legacy_data(u.jid, u.legacy_data);
    spdlog::info("{} updated their registration", u.jid.str());
    // Posted, so that the reply goes first; a live session logs in again with the new data.
    asio::post(rt_.component.router().executor(), [this, jid = u.jid, data = u.legacy_data] {
      rt_.sessions->registration_updated(jid, data);
    });
    return Step{};
  }
  u.id = rt_.users.add(u.jid, u.legacy_data).id;
  spdlog::info("{} registered", u.jid.str());
  // Posted, so that the reply to the request that finished the registration goes first.
  asio::post(rt_.component.router().executor(), [this, jid = u.jid] {
    rt_.send_presence(jid, "subscribe");  // so the gateway sits in the user's roster
    rt_.send_presence(jid, "");
    if (!rt_.info.welcome_message.empty()) rt_.send_chat(jid, rt_.info.welcome_message);
    for (const auto& admin : rt_.settings.admins)
      rt_.send_chat(admin, "New user registered: " + jid.str());
    rt_.sessions->start(jid);
  });
  return Step{};
}

asio::awaitable<void> Registration::remove(const Jid& user) {
  const Jid bare = user.bare();
  auto record = rt_.users.find(bare);
  if (!record) throw StanzaError(ErrorCondition::registration_required, "not registered");
  User u{bare, record->legacy_data, record->preferences, record->id};
  try {
    co_await rt_.gateway.unregister(u);
  } catch (const std::exception& e) {
    spdlog::warn("{}: the bridge's unregister failed: {}", bare.str(), e.what());
  }
  abandon(bare);
  co_await rt_.sessions->stop(bare);
  // Read before the user's data goes: every contact we may have put in their roster.
  std::vector<std::string> contacts;
  for (const auto& c : ContactStore(rt_.database).all(record->id))
    contacts.push_back(c.local + "@" + rt_.component.jid().str());
  const bool privileged = rt_.sessions->roster().mode(bare) == RosterMode::privileged;
  rt_.users.remove(bare);
  AvatarStore(rt_.database).collect();  // the user's contacts and rooms went with them
  spdlog::info("{} unregistered; {} contacts leave their roster by {}", bare.str(), contacts.size(),
               privileged ? "roster push" : "unsubscription");
  asio::post(rt_.component.router().executor(), [this, bare, contacts, privileged] {
    leave_roster(bare, contacts, privileged);  // after the reply, as above
  });
}

// Nothing of the gateway stays in the user's roster: with XEP-0356 the contacts are removed
// by roster pushes; without, every contact and the gateway unsubscribe both ways (the server
// then keeps the items with subscription none, which only the user can delete).
void Registration::leave_roster(const Jid& user, const std::vector<std::string>& contacts,
                                bool privileged) {
  Component& component = rt_.component;
  for (const auto& contact : contacts) {
    component.send(make_presence(contact, user.str(), "unavailable"));
    if (privileged)
      component.router().tasks().spawn(remove_or_unsubscribe(user, contact), "roster removal");
    else
      unsubscribe(user, contact);
  }
  rt_.send_presence(user, "unavailable");
  rt_.send_presence(user, "unsubscribed");
  rt_.send_presence(user, "unsubscribe");
}

void Registration::unsubscribe(const Jid& user, const std::string& contact) {
  rt_.component.send(make_presence(contact, user.str(), "unsubscribe"));
  rt_.component.send(make_presence(contact, user.str(), "unsubscribed"));
}

// A removal the server refuses (ejabberd 23.01 refuses every privileged roster set) or leaves
// unanswered must not leave a subscription behind: the contact unsubscribes instead.
asio::awaitable<void> Registration::remove_or_unsubscribe(Jid user, std::string contact) {
  Component& component = rt_.component;
  try {
    co_await component.request(
        roster_removal(component.jid().str(), user.str(), contact, component.router().next_id()),
        std::chrono::seconds(30));
  } catch (const StanzaError& e) {
    spdlog::info("{}: roster removal of {} failed ({}); it unsubscribes instead", user.str(),
                 contact, e.what());
    unsubscribe(user, contact);
  }
}

// --- XEP-0077 ---

void Registration::install(Router& router) {
  router.on_iq(IqType::get, "query", kRegisterNs, [this](const Element& iq) { return on_get(iq); });
  router.on_iq_async(IqType::set, "query", kRegisterNs,
                     [this](Element iq) { return on_set(std::move(iq)); });
  rt_.component.disco().add_feature(kRegisterNs);
}

Router::IqPayload Registration::on_get(const Element& iq) {
  // To a room (or a contact): not a registration with the gateway.
  if (auto to = Jid::parse(iq.attr_or("to")); to && to->has_local())
    return rt_.sessions->contacts().on_iq(iq);
  auto user = Jid::parse(iq.attr_or("from"));
  if (!user) throw StanzaError(ErrorCondition::jid_malformed);
  if (!rt_.is_allowed(user->bare()))
    throw StanzaError(ErrorCondition::not_allowed, "this gateway is not open to you");
  const Form form = form_for(*user);
  Element query("query", std::string(kRegisterNs));
  query.add_child("instructions", std::string(kRegisterNs)).set_text(rt_.info.instructions);
  for (const auto& field : form.fields) {
    if (is_legacy_field(field.var))
      query.add_child(field.var, std::string(kRegisterNs)).set_text(std::string(field.value()));
  }
  if (rt_.users.find(user->bare())) query.add_child("registered", std::string(kRegisterNs));
  query.add_child(form.to_element());
  return query;
}

asio::awaitable<Router::IqPayload> Registration::on_set(Element iq) {
  // To a room: leaving it for good (XEP-0045 §7.10, Gajim's "leave permanently"), never an
  // unregistration from the gateway.
  if (auto to = Jid::parse(iq.attr_or("to")); to && to->has_local())
    co_return co_await rt_.sessions->contacts().on_room_request(std::move(iq));
  auto user = Jid::parse(iq.attr_or("from"));
  if (!user) throw StanzaError(ErrorCondition::jid_malformed);
  const Element& query = *iq.first_child();
  if (query.child("remove", kRegisterNs)) {
    co_await remove(*user);
    co_return std::nullopt;
  }
  Form submitted;
  if (const Element* x = query.child("x", Form::kNs)) {
    submitted = Form::parse(*x);
  } else {  // a client without data forms: XEP-0077's plain fields
    submitted.type = "submit";
    for (const auto& child : query.children()) {
      if (child.ns() != kRegisterNs || !is_legacy_field(child.name())) continue;
      FormField field;
      field.var = child.name();
      field.values = {child.text()};
      submitted.fields.push_back(std::move(field));
    }
  }
  Step step = co_await begin(*user, submitted);
  if (step.kind != Step::Kind::done) {
    // The iq result goes out first (posted: co_spawn would start running at once); the
    // next step continues in chat with the gateway.
    asio::post(rt_.component.router().executor(),
               [this, bare = user->bare(), step = std::move(step)]() mutable {
                 rt_.component.router().tasks().spawn(
                     continue_in_chat(std::move(bare), std::move(step)), "registration in chat");
               });
  }
  co_return std::nullopt;
}

asio::awaitable<void> Registration::continue_in_chat(Jid user, Step step) {
  try {
    if (step.kind == Step::Kind::need_code) {
      co_await chat_two_factor(user);
    } else if (step.kind == Step::Kind::need_qr) {
      co_await chat_qr(user, std::move(step.qr_text));
    }
  } catch (const StanzaError& e) {
    abandon(user);
    rt_.send_chat(user, "Registration failed: " + reason(e));
  } catch (const std::exception& e) {
    abandon(user);
    rethrow_if_cancellation(e);  // shutdown: nothing to tell the user
    spdlog::error("{}: registration failed: {}", user.str(), e.what());
    rt_.send_chat(user, "Registration failed because of an internal error.");
  }
}

asio::awaitable<void> Registration::chat_two_factor(const Jid& user) {
  rt_.send_chat(user, "Please reply with the code you received to finish your registration.");
  for (;;) {
    auto code = co_await rt_.chat_input.wait(user.str(), rt_.info.registration_timeout);
    if (!code) {
      if (pending_.count(user.str()) == 0) co_return;  // abandoned meanwhile
      throw StanzaError(ErrorCondition::remote_server_timeout, "no code received in time");
    }
    try {
      co_await submit_code(user, std::string(trim(*code)));
      co_return;
    } catch (const StanzaError& e) {
      if (pending_.count(user.str()) == 0) throw;  // out of attempts
      rt_.send_chat(user, "That code was not accepted (" + reason(e) + "). Please try again.");
    }
  }
}

asio::awaitable<void> Registration::chat_qr(const Jid& user, std::string qr_text) {
  co_await rt_.gateway.send_qr(user, std::move(qr_text));
  co_await wait_for_qr(user);
}

}  // namespace legate
