// Command: one user or admin action, defined once and offered both as a XEP-0050 ad-hoc
// command and as a chat command (a keyword sent to the gateway JID). Running a command
// yields an Outcome: a note, a form to fill (whose submission continues the command), a
// yes/no confirmation, or a result table.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "../component/asio.hpp"
#include "../component/form.hpp"
#include "../component/jid.hpp"
#include "../legacy/user.hpp"

namespace legate {

class BaseGateway;
class Session;

enum class Access { anyone, registered, logged_in, not_registered, admin };

// Who runs the command, as the framework found them.
struct CommandContext {
  BaseGateway& gateway;
  Jid requester;             // full JID
  std::optional<User> user;  // when registered
  // When a session exists; shared, so that a command suspended while the user leaves
  // still holds a live session.
  std::shared_ptr<Session> session;
  bool is_admin = false;
};

struct Note {
  enum class Kind { info, warn, error } kind = Kind::info;
  std::string text;
};

struct Outcome;
using Continuation = std::function<asio::awaitable<Outcome>(CommandContext&, const Form&)>;

// A form to fill; `next` receives the submitted form.
struct FormStep {
  Form form;
  Continuation next;
};

// A yes/no question; `next` runs on yes (no cancels the command).
struct Confirmation {
  std::string question;
  std::function<asio::awaitable<Outcome>(CommandContext&)> next;
};

// Rows of text under named columns (x-data <reported>/<item>, or aligned text in chat).
struct Table {
  std::string title;
  std::vector<std::pair<std::string, std::string>> columns;  // var, label
  std::vector<std::vector<std::string>> rows;
};

struct Outcome {
  std::variant<Note, FormStep, Confirmation, Table> value;
};

struct Command {
  std::string name;     // human title
  std::string node;     // ad-hoc node, e.g. "register"
  std::string keyword;  // chat keyword, e.g. "register"
  std::string help;
  Access access = Access::registered;
  std::function<asio::awaitable<Outcome>(CommandContext&)> run;
};

// Whether `ctx` may run a command of this access level.
bool allowed(Access access, const CommandContext& ctx);

}  // namespace legate
