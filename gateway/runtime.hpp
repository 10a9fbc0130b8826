// The framework side of a BaseGateway: its component, stores, pending waits, and the
// pieces that act for it. Internal to the gateway layer.
#pragma once

#include <memory>
#include <regex>

#include "../component/component.hpp"
#include "../storage/database.hpp"
#include "../storage/storage_writer.hpp"
#include "../storage/user_store.hpp"
#include "base_gateway.hpp"
#include "http_upload.hpp"
#include "waiters.hpp"

namespace legate {

class Registration;
class Sessions;

// How the legacy side ended a QR step (BaseGateway::confirm_qr / fail_qr).
struct QrOutcome {
  bool failed = false;
  std::string reason;  // when failed
  Json data;           // when confirmed: new legacy data (null: keep what validate() gave)
};

struct BaseGateway::Runtime {
  Runtime(BaseGateway& gateway, Component& component, Database& database, GatewaySettings settings);
  ~Runtime();

  BaseGateway& gateway;
  Component& component;
  Database& database;
  GatewaySettings settings;
  GatewayInfo info;
  Features features;  // derived from the hooks the session type overrides + info.capabilities
  UserStore users;
  Waiters<std::string> chat_input;      // the next chat line of a user, by bare JID
  Waiters<QrOutcome> qr_confirmations;  // by bare JID
  std::regex allowed;
  std::string avatar;  // the gateway's own avatar bytes (GatewayInfo::avatar or its file)
  HttpUpload upload;
  // The storage writer thread (storage_writer.hpp); null for an in-memory database, or when
  // it could not start (then everything is written on the loop, as SQLite would by itself).
  std::unique_ptr<StorageWriter> writer;
  std::unique_ptr<Registration> registration;
  std::unique_ptr<Sessions> sessions;
  std::function<bool(const Jid&, std::string_view)> chat_handler;

  bool is_allowed(const Jid& user) const;
  // Stored preferences over the declared preference fields' defaults.
  Json with_default_preferences(const Json& stored) const;
  void send_chat(const Jid& to, std::string_view text);
  void send_presence(const Jid& to, std::string_view type, std::string_view status = {});
};

}  // namespace legate
