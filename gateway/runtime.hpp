// The framework side of a BaseGateway: its component, stores, pending waits, and the
// pieces that act for it. Internal to the gateway layer.
#pragma once

#include <memory>
#include <regex>

#include "component/component.hpp"
#include "gateway/base_gateway.hpp"
#include "gateway/http_upload.hpp"
#include "gateway/waiters.hpp"
#include "storage/database.hpp"
#include "storage/user_store.hpp"

namespace legate {

class Registration;
class Sessions;

struct BaseGateway::Runtime {
  Runtime(BaseGateway& gateway, Component& component, Database& database, GatewaySettings settings);
  ~Runtime();

  BaseGateway& gateway;
  Component& component;
  Database& database;
  GatewaySettings settings;
  GatewayInfo info;
  UserStore users;
  Waiters<std::string> chat_input;        // the next chat line of a user, by bare JID
  Waiters<std::string> qr_confirmations;  // by bare JID: "" scanned, else the error
  std::regex allowed;
  std::string avatar;  // the gateway's own avatar bytes (GatewayInfo::avatar or its file)
  HttpUpload upload;
  std::unique_ptr<Registration> registration;
  std::unique_ptr<Sessions> sessions;
  std::function<bool(const Jid&, std::string_view)> chat_handler;

  bool is_allowed(const Jid& user) const;
  void send_chat(const Jid& to, std::string_view text);
  void send_presence(const Jid& to, std::string_view type, std::string_view status = {});
};

}  // namespace legate
