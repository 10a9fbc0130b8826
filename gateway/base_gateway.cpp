// BaseGateway: default hooks, helpers for bridges, and the wiring to the component.
#include "gateway/base_gateway.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

#include "gateway/qr_code.hpp"
#include "gateway/registration.hpp"
#include "gateway/runtime.hpp"
#include "gateway/sessions.hpp"
#include "legacy/contact_stanzas.hpp"

namespace legate {
namespace {

std::string parent_domain(const Jid& component) {
  const std::string_view domain = component.domain();
  const auto dot = domain.find('.');
  return std::string(dot == std::string_view::npos ? domain : domain.substr(dot + 1));
}

std::string regex_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

BaseGateway::Runtime::Runtime(BaseGateway& gw, Component& c, Database& db, GatewaySettings s)
    : gateway(gw),
      component(c),
      database(db),
      settings(std::move(s)),
      info(gw.info()),
      features(features_of(gw.session_hooks(), info.capabilities)),
      users(db),
      chat_input(c.router().executor()),
      qr_confirmations(c.router().executor()),
      upload(c, settings.server_domain.empty() ? parent_domain(c.jid()) : settings.server_domain,
             settings.upload_service) {
  if (settings.server_domain.empty()) settings.server_domain = parent_domain(c.jid());
  const std::string pattern = settings.allowed_jids.empty()
                                  ? "[^@/]+@" + regex_escape(settings.server_domain)
                                  : settings.allowed_jids;
  allowed = std::regex(pattern, std::regex::ECMAScript | std::regex::icase);
  avatar = info.avatar;
  if (avatar.empty() && !info.avatar_path.empty()) {
    std::ifstream file(info.avatar_path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot read the gateway avatar " + info.avatar_path);
    avatar.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  if (db.path() != ":memory:") {
    try {
      writer = std::make_unique<StorageWriter>(db);
    } catch (const std::exception& e) {
      spdlog::warn("storage: no writer thread, writing on the event loop: {}", e.what());
    }
  }
  registration = std::make_unique<Registration>(*this);
  sessions = std::make_unique<Sessions>(*this);
}

BaseGateway::Runtime::~Runtime() = default;

Json BaseGateway::Runtime::with_default_preferences(const Json& stored) const {
  boost::json::object merged = stored.is_object() ? stored.as_object() : boost::json::object();
  for (const auto& field : info.preference_fields)
    if (!field.var.empty() && !field.values.empty() && !merged.contains(field.var))
      merged[field.var] = field.value();
  return merged;
}

bool BaseGateway::Runtime::is_allowed(const Jid& user) const {
  return std::regex_match(user.bare_str(), allowed);
}

void BaseGateway::Runtime::send_chat(const Jid& to, std::string_view text) {
  Element message = make_message(component.jid().str(), to.str(), "chat");
  message.add_child("body", std::string(kComponentNs)).set_text(std::string(text));
  component.send(message);
}

void BaseGateway::Runtime::send_presence(const Jid& to, std::string_view type,
                                         std::string_view status) {
  Element presence = make_presence(component.jid().str(), to.str(), type);
  if (!status.empty())
    presence.add_child("status", std::string(kComponentNs)).set_text(std::string(status));
  component.send(presence);
}

BaseGateway::BaseGateway() = default;
BaseGateway::~BaseGateway() = default;

asio::awaitable<Json> BaseGateway::validate(const Jid&, const Form& form) {
  boost::json::object data;
  for (const auto& field : form.fields) {
    if (!field.var.empty() && field.var != "FORM_TYPE") data[field.var] = field.value();
  }
  co_return data;
}

asio::awaitable<Json> BaseGateway::validate_two_factor_code(User& user, std::string) {
  co_return user.legacy_data;
}

asio::awaitable<std::string> BaseGateway::get_qr_text(User&) {
  throw StanzaError(ErrorCondition::feature_not_implemented, "this gateway has no QR login");
  co_return std::string();
}

asio::awaitable<void> BaseGateway::unregister(User&) {
  co_return;
}

void BaseGateway::confirm_qr(const Jid& user, Json data) {
  runtime().registration->qr_confirmed(user, QrOutcome{false, {}, std::move(data)});
}

void BaseGateway::fail_qr(const Jid& user, std::string reason) {
  runtime().registration->qr_confirmed(user, QrOutcome{true, std::move(reason), nullptr});
}

void BaseGateway::send_message(const Jid& to, std::string_view text) {
  runtime().send_chat(to, text);
}

asio::awaitable<void> BaseGateway::send_qr(const Jid& user, std::string text) {
  Runtime& rt = runtime();
  const QrCode qr = QrCode::encode(text);
  rt.send_chat(user, "Scan this QR code with the app of your account to log in.");
  try {
    const std::string url = co_await rt.upload.upload("qr.png", "image/png", qr.png());
    Element message = make_message(rt.component.jid().str(), user.str(), "chat");
    message.add_child("body", std::string(kComponentNs)).set_text(url);
    message.add_child("x", "jabber:x:oob").add_child("url", "jabber:x:oob").set_text(url);
    rt.component.send(message);
  } catch (const std::exception& e) {
    spdlog::warn("{}: QR image not sent, no upload ({}); sending it as text only", user.bare_str(),
                 e.what());
  }
  rt.send_chat(user, "The code's text: " + text);
  rt.send_chat(user, qr.unicode());
}

void BaseGateway::spawn(asio::awaitable<void> task) {
  runtime().component.router().tasks().spawn(std::move(task), "gateway task");
}

std::optional<User> BaseGateway::find_user(const Jid& jid) {
  auto record = runtime().users.find(jid.bare());
  if (!record) return std::nullopt;
  return User{record->jid, record->legacy_data,
              runtime().with_default_preferences(record->preferences), record->id};
}

std::string_view BaseGateway::setting(std::string_view key) const {
  auto it = bridge_settings_.find(key);
  return it == bridge_settings_.end() ? std::string_view() : std::string_view(it->second);
}

const Jid& BaseGateway::jid() const {
  return runtime_->component.jid();
}

BaseGateway::Runtime& BaseGateway::runtime() {
  if (!runtime_) throw std::logic_error("BaseGateway used before attach()");
  return *runtime_;
}
const BaseGateway::Runtime& BaseGateway::runtime() const {
  if (!runtime_) throw std::logic_error("BaseGateway used before attach()");
  return *runtime_;
}

Element BaseGateway::gateway_vcard() const {
  const GatewayInfo& info = runtime_->info;
  return vcard(info.name, runtime_->avatar, "image/png");
}

}  // namespace legate
