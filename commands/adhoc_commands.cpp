// XEP-0050 ad-hoc commands on the gateway JID: the command list and node info in disco,
// execution of a command, and the sessions of multi-step commands (forms, confirmations).
#include "commands/adhoc_commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "commands/commands.hpp"
#include "component/component.hpp"
#include "gateway/gateway_runtime.hpp"

namespace legate {
namespace {

// Long enough for a user to read and fill a form, short enough that abandoned sessions
// (closed dialogs never send a cancel) do not pile up.
constexpr std::chrono::minutes kSessionLifetime{10};
// One requester opening dialog after dialog must not grow the table without bound.
constexpr std::size_t kMaxSessionsPerUser = 16;

constexpr std::string_view kConfirmVar = "confirm";

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// bad-request with one of XEP-0050's application conditions (bad-action, bad-sessionid, …).
StanzaError bad_request(std::string_view app_condition, std::string text) {
  StanzaError error(ErrorCondition::bad_request, std::move(text));
  error.with_app_condition(std::string(app_condition), std::string(kCommandsNs));
  return error;
}

std::string_view note_type(Note::Kind kind) {
  switch (kind) {
    case Note::Kind::info:
      return "info";
    case Note::Kind::warn:
      return "warn";
    case Note::Kind::error:
      return "error";
  }
  return "info";
}

// A confirmation travels as a form: the question, and a yes/no the user must answer.
Form confirmation_form(const Confirmation& confirmation, const std::string& title) {
  Form form;
  form.title = title;
  FormField confirm = FormField::boolean(std::string(kConfirmVar), "Confirm");
  confirm.required = true;
  form.fields = {FormField::fixed(confirmation.question), std::move(confirm)};
  return form;
}

Form table_form(const Table& table) {
  Form form;
  form.type = "result";
  form.title = table.title;
  for (const auto& [var, label] : table.columns)
    form.reported.push_back(FormField::text(var, label));
  for (const auto& row : table.rows) {
    std::vector<FormField> item;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      FormField cell;
      cell.var = table.columns[i].first;
      // A short row leaves its last cells empty rather than shifting columns.
      cell.values.push_back(i < row.size() ? row[i] : std::string());
      item.push_back(std::move(cell));
    }
    form.items.push_back(std::move(item));
  }
  return form;
}

Element command_reply(const std::string& node, const std::string& session_id,
                      std::string_view status) {
  Element reply("command", std::string(kCommandsNs));
  reply.set_attr("node", node);
  reply.set_attr("sessionid", session_id);
  reply.set_attr("status", status);
  return reply;
}

// We cannot tell whether a step's continuation asks again, so every form offers
// "complete"; a further form after it is still shown by clients.
void add_actions(Element& reply) {
  Element& actions = reply.add_child("actions", std::string(kCommandsNs));
  actions.set_attr("execute", "complete");
  actions.add_child("complete", std::string(kCommandsNs));
}

}  // namespace

AdhocCommands::AdhocCommands(Commands& commands)
    : commands_(commands), random_(std::random_device{}()) {
  Component& component = GatewayRuntime(commands_.gateway()).component();
  component.disco().add_feature(kCommandsNs);
  component.set_node_handler([this](const Element& iq) { return on_node(iq); });
  component.router().on_iq_async(IqType::set, "command", kCommandsNs,
                                 [this](Element iq) { return on_command(std::move(iq)); });
}

Router::IqPayload AdhocCommands::on_node(const Element& iq) {
  expire_stale();
  const Element& query = *iq.first_child();
  const std::string node(query.attr_or("node"));
  auto from = Jid::parse(iq.attr_or("from"));
  if (!from) throw StanzaError(ErrorCondition::jid_malformed, "no valid sender");
  const CommandContext ctx = commands_.context_for(*from);
  const std::string_view gateway = commands_.gateway().jid().full();

  Element reply(std::string(query.name()), std::string(query.ns()));
  reply.set_attr("node", node);
  const bool items = query.ns() == kDiscoItemsNs;
  if (node == kCommandsNs) {
    if (items) {
      // Only what the requester may run: a listed command should not answer forbidden.
      for (const Command* command : commands_.available(ctx)) {
        Element& item = reply.add_child("item", std::string(kDiscoItemsNs));
        item.set_attr("jid", gateway);
        item.set_attr("node", command->node);
        item.set_attr("name", command->name);
      }
    } else {
      Element& identity = reply.add_child("identity", std::string(kDiscoInfoNs));
      identity.set_attr("category", "automation");
      identity.set_attr("type", "command-list");
      identity.set_attr("name", "Commands");
    }
    return reply;
  }

  const Command* command = commands_.by_node(node);
  if (!command) throw StanzaError(ErrorCondition::item_not_found, "no such node: " + node);
  // Like execution (and Prosody): the node exists, but not for this requester.
  if (!allowed(command->access, ctx))
    throw StanzaError(ErrorCondition::forbidden, "this command is not available to you");
  if (items) return reply;  // a command node has no items
  Element& identity = reply.add_child("identity", std::string(kDiscoInfoNs));
  identity.set_attr("category", "automation");
  identity.set_attr("type", "command-node");
  identity.set_attr("name", command->name);
  for (std::string_view feature : {kCommandsNs, Form::kNs})
    reply.add_child("feature", std::string(kDiscoInfoNs)).set_attr("var", feature);
  return reply;
}

asio::awaitable<Router::IqPayload> AdhocCommands::on_command(Element iq) {
  expire_stale();
  // The handler is keyed on the payload only: commands sent to a contact's JID land here
  // too, and contacts offer none.
  auto to = Jid::parse(iq.attr_or("to"));
  if (!to || *to != commands_.gateway().jid())
    throw StanzaError(ErrorCondition::service_unavailable);
  auto from = Jid::parse(iq.attr_or("from"));
  if (!from) throw StanzaError(ErrorCondition::jid_malformed, "no valid sender");

  const Element& request = *iq.first_child();
  const std::string node(request.attr_or("node"));
  const std::string_view action = request.attr_or("action", "execute");
  const std::string session_id(request.attr_or("sessionid"));
  if (session_id.empty()) co_return co_await start(node, action, *from);
  co_return co_await resume(node, session_id, action, request, *from);
}

asio::awaitable<Element> AdhocCommands::start(const std::string& node, std::string_view action,
                                              const Jid& requester) {
  if (action != "execute")
    throw bad_request("bad-action", "a new command takes the execute action");
  const Command* command = commands_.by_node(node);
  if (!command) throw StanzaError(ErrorCondition::item_not_found, "no such command: " + node);
  CommandContext ctx = commands_.context_for(requester);
  if (!allowed(command->access, ctx))
    throw StanzaError(ErrorCondition::forbidden, "this command is not available to you");
  // A copy: a coroutine lambda's captures live in the function object, which must not move
  // (the registry growing) while the command is suspended.
  auto run = command->run;
  Outcome outcome = co_await run(ctx);
  co_return respond(node, new_session_id(), std::move(outcome), requester);
}

asio::awaitable<Element> AdhocCommands::resume(const std::string& node,
                                               const std::string& session_id,
                                               std::string_view action, const Element& request,
                                               const Jid& requester) {
  auto it = pending_.find(session_id);
  // Another requester's session answers as an unknown one: ids must not be probed.
  if (it == pending_.end() || it->second.requester != requester || it->second.node != node)
    throw bad_request("bad-sessionid", "unknown or expired session");

  std::optional<Form> submitted;
  if (const Element* x = request.child("x", Form::kNs)) {
    try {
      submitted = Form::parse(*x);
    } catch (const StanzaError& e) {
      throw bad_request("bad-payload", e.text());
    }
  }
  // A form of type cancel (XEP-0004 §3.1) is the client closing the dialog.
  if (action == "cancel" || (submitted && submitted->type == "cancel")) {
    pending_.erase(it);
    co_return command_reply(node, session_id, "canceled");
  }
  if (action == "prev") throw bad_request("bad-action", "going back is not supported");
  if (action != "execute" && action != "next" && action != "complete")
    throw bad_request("malformed-action", "unknown action: " + std::string(action));
  if (!submitted) throw bad_request("bad-payload", "the step's form is missing");

  Pending& pending = it->second;
  const Form definition =
      pending.form ? pending.form->form : confirmation_form(*pending.confirmation, {});
  // A refused submission keeps the session: the user may correct it and submit again.
  if (auto error = validate_submission(definition, *submitted))
    throw StanzaError(ErrorCondition::not_acceptable, error->var + ": " + error->message);
  const Form answers = with_defaults(definition, *submitted);

  // Taken out before running: a second submission meanwhile is refused, not run twice.
  Pending taken = std::move(pending);
  pending_.erase(it);
  // Fresh: the user or session may have changed since the previous step.
  CommandContext ctx = commands_.context_for(requester);
  Outcome outcome;
  if (taken.form) {
    std::optional<StanzaError> refused;
    try {
      outcome = co_await taken.form->next(ctx, answers);
    } catch (const StanzaError& e) {
      refused = e;
    }
    if (refused) {
      // Refused by the command (a wrong two-factor code…): the step stays open, so the
      // user may submit again in the same session, as in chat.
      keep(session_id, std::move(taken));
      throw *refused;
    }
  } else if (const FormField* confirm = answers.field(kConfirmVar);
             confirm && confirm->as_bool().value_or(false)) {
    outcome = co_await taken.confirmation->next(ctx);
  } else {
    outcome = Outcome{Note{Note::Kind::info, "Cancelled."}};
  }
  co_return respond(node, session_id, std::move(outcome), requester);
}

Element AdhocCommands::respond(const std::string& node, const std::string& session_id,
                               Outcome outcome, const Jid& requester) {
  return std::visit(
      Overloaded{
          [&](Note& note) {
            Element reply = command_reply(node, session_id, "completed");
            Element& n = reply.add_child("note", std::string(kCommandsNs));
            n.set_attr("type", note_type(note.kind));
            n.set_text(std::move(note.text));
            return reply;
          },
          [&](FormStep& step) {
            Element reply = command_reply(node, session_id, "executing");
            add_actions(reply);
            Form shown = step.form;
            shown.type = "form";
            reply.add_child(shown.to_element());
            keep(session_id, Pending{node, requester, std::move(step), std::nullopt, {}});
            return reply;
          },
          [&](Confirmation& confirmation) {
            Element reply = command_reply(node, session_id, "executing");
            add_actions(reply);
            const Command* command = commands_.by_node(node);
            reply.add_child(
                confirmation_form(confirmation, command ? command->name : node).to_element());
            keep(session_id, Pending{node, requester, std::nullopt, std::move(confirmation), {}});
            return reply;
          },
          [&](Table& table) {
            Element reply = command_reply(node, session_id, "completed");
            reply.add_child(table_form(table).to_element());
            return reply;
          },
      },
      outcome.value);
}

void AdhocCommands::keep(const std::string& session_id, Pending pending) {
  pending.expires = Clock::now() + kSessionLifetime;
  const Jid user = pending.requester.bare();
  auto oldest = pending_.end();
  std::size_t count = 0;
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->second.requester.bare() != user) continue;
    ++count;
    if (oldest == pending_.end() || it->second.expires < oldest->second.expires) oldest = it;
  }
  if (count >= kMaxSessionsPerUser) {
    spdlog::debug("{}: too many command sessions, dropping {}", user.str(), oldest->first);
    pending_.erase(oldest);
  }
  pending_.insert_or_assign(session_id, std::move(pending));
}

void AdhocCommands::expire_stale() {
  const auto now = Clock::now();
  std::erase_if(pending_, [&](const auto& entry) { return entry.second.expires <= now; });
}

std::string AdhocCommands::new_session_id() {
  char random[17];
  std::snprintf(random, sizeof random, "%016llx", static_cast<unsigned long long>(random_()));
  return std::to_string(++next_session_) + "-" + random;
}

}  // namespace legate
