// SessionServices: SessionHost, what a legacy session asks of the gateway above it (the
// component, storage, the roster policy, the gateway's messages and status to its user,
// questions in chat, QR codes, re-logins, files), served from the parts that do each.
#pragma once

#include <functional>

#include "../legacy/session_host.hpp"
#include "../storage/user_store.hpp"
#include "base_gateway.hpp"
#include "carbons.hpp"
#include "contact_pep.hpp"
#include "displayed_sync.hpp"
#include "gateway_status.hpp"
#include "privileged_iq.hpp"
#include "roster_policy.hpp"
#include "waiters.hpp"

namespace legate {

class FileTransfers;

class SessionServices : public SessionHost {
 public:
  struct Parts {
    BaseGateway& gateway;  // its messages and QR codes to users
    Component& component;
    Database& database;
    IdMap& ids;
    RoomArchive& archive;
    const Features& features;
    UserStore& users;
    RosterPolicy& roster;
    GatewayStatus& status;
    Waiters<std::string>& chat_input;
    FileTransfers& files;
    Carbons& carbons;
    PrivilegedIq& privileged_iq;
    ContactPep& contact_pep;
    DisplayedSync& displayed;
    const std::string& occupant_secret;
    std::function<void(const Jid&)> re_login;
  };
  explicit SessionServices(Parts parts) : p_(std::move(parts)) {}

  Component& component() override { return p_.component; }
  Database& database() override { return p_.database; }
  IdMap& id_map() override { return p_.ids; }
  RoomArchive& room_archive() override { return p_.archive; }
  const Features& features() const override { return p_.features; }
  RosterMode roster_mode(const Jid& user) const override { return p_.roster.mode(user); }
  std::string roster_group() const override { return p_.roster.group(); }
  void send_gateway_message(const Jid& user, std::string_view text) override {
    p_.gateway.send_message(user, text);
  }
  void send_gateway_status(const Jid& user, PresenceShow show, std::string_view text) override {
    p_.status.set(user, show, text);
  }
  asio::awaitable<std::optional<std::string>> input(const Jid& user, std::string_view prompt,
                                                    std::chrono::seconds timeout) override;
  asio::awaitable<void> send_qr(const Jid& user, std::string text) override;
  void re_login(const Jid& user) override { p_.re_login(user); }
  asio::awaitable<std::string> send_file(Contact& from, OutgoingFile file) override;
  void store_legacy_data(const Jid& user, const Json& data) override {
    p_.users.update_legacy_data(user.bare(), data);
  }
  void add_to_roster(Contact& contact) override { p_.roster.add(contact); }
  void identity_changed(Contact& contact, IdentityChange what) override {
    p_.contact_pep.changed(contact, what);
  }
  std::string carbon_id() override { return p_.carbons.next_id(); }
  bool send_carbon(const Jid& user, Element message) override {
    return p_.carbons.inject(user, std::move(message));
  }
  bool carbons_fallback() const override {
    return p_.carbons.fallback() == CarbonsFallback::prefix;
  }
  asio::awaitable<std::string> upload_file(Contact& about, OutgoingFile file) override;
  asio::awaitable<Element> privileged_iq(Jid user, Element iq) override {
    return p_.privileged_iq(std::move(user), std::move(iq));
  }
  const std::string& occupant_secret() override { return p_.occupant_secret; }
  void read_elsewhere(Room& room, std::string_view stanza_id) override;

 private:
  Parts p_;
};

}  // namespace legate
