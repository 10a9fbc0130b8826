// GatewayInfo: what a bridge declares about itself as data: its name and disco type, how
// users register (form, two-factor code, QR code), the registration form, the welcome.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "../component/form.hpp"
#include "../legacy/types.hpp"

namespace legate {

enum class RegistrationType {
  form,        // one form, checked by validate()
  two_factor,  // the form, then a code the user receives (validate_two_factor_code())
  qr,          // the form, then a QR code scanned with the legacy app (get_qr_text(), confirm_qr())
};

struct GatewayInfo {
  std::string name = "Legate gateway";  // disco identity name, shown by clients
  std::string type = "legacy";  // disco identity type in category "gateway" (e.g. "whatsapp")
  // Non-empty: the gateway is also a group-chat service (its rooms are room@gw), shown with
  // the identity conference/<this> ("text", or "irc" for IRC) and the MUC feature, so
  // clients list it among their servers' group-chat services.
  std::string group_service;
  RegistrationType registration_type = RegistrationType::form;
  std::string instructions = "Enter your account details.";
  std::vector<FormField> registration_fields;
  std::string welcome_message;
  // How long a two-factor or QR step waits for the user before giving up.
  std::chrono::milliseconds registration_timeout{std::chrono::minutes(5)};
  // Wrong two-factor codes accepted before the registration is abandoned.
  unsigned two_factor_attempts = 3;
  // What no override shows (the rest of the contacts' features comes from the hooks the
  // session type overrides, see Gateway<S>).
  Capabilities capabilities;
  // Per-user preferences (values stored as JSON); shown by the `preferences` command.
  std::vector<FormField> preference_fields;
  // Search form (XEP-0055 and `find`); empty: no search. With one field, XEP-0100's
  // jabber:iq:gateway prompt uses it.
  std::vector<FormField> search_fields;
  std::string search_instructions = "Search for a contact.";
  // The gateway's own avatar (PNG bytes or a file path), shown like a contact's.
  std::string avatar;
  std::string avatar_path;
};

}  // namespace legate
