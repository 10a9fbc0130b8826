// ChatCommands: commands run by chatting with the gateway JID. A conversation is a coroutine
// that asks its questions with BaseGateway::ask(), which sees the user's lines before the
// chat handler does, so a running command gets the answers and nothing else reacts to them.
#include "commands/chat_commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "commands/chat_fields.hpp"
#include "commands/commands.hpp"
#include "component/component.hpp"
#include "component/stanza_error.hpp"
#include "gateway/gateway_runtime.hpp"

namespace legate {
namespace {

using chat::has_value;
using chat::lower;
using chat::prompt_for;
using chat::trim;
using chat::yes_no;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kAnswerTimeout = 5min;

// `line` cut at its first run of white space (the rest trimmed).
std::pair<std::string_view, std::string_view> first_word(std::string_view line) {
  line = chat::trim(line);
  const auto n = std::min(line.find_first_of(" \t\r\n"), line.size());
  return {line.substr(0, n), chat::trim(line.substr(n))};
}

// Columns are aligned on code points, not bytes, so that accented names line up.
std::size_t width(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

ChatCommands::ChatCommands(Commands& commands) : commands_(commands) {
  GatewayRuntime(commands_.gateway())
      .set_chat_handler(
          [this](const Jid& from, std::string_view body) { return on_chat(from, body); });
}

bool ChatCommands::on_chat(const Jid& from, std::string_view body) {
  const auto [word, rest] = first_word(body);
  if (word.empty()) return false;
  const std::string keyword = lower(word);
  if (keyword == "help") {
    help(from, rest);
    return true;
  }
  const Command* command = commands_.by_keyword(keyword);
  if (!command || !allowed(command->access, commands_.context_for(from))) return false;
  GatewayRuntime(commands_.gateway())
      .component()
      .router()
      .tasks()
      .spawn(converse(from, command), "chat command " + keyword);
  return true;
}

void ChatCommands::help(const Jid& from, std::string_view topic) {
  const CommandContext ctx = commands_.context_for(from);
  if (!topic.empty()) {
    const std::string keyword = lower(first_word(topic).first);
    const Command* c = commands_.by_keyword(keyword);
    if (keyword.empty() || !c || !allowed(c->access, ctx)) {
      say(ctx, "No command '" + keyword + "'. Send 'help' for the list.");
    } else {
      say(ctx, c->keyword + ": " + c->name + (c->help.empty() ? "" : "\n" + c->help));
    }
    return;
  }
  std::string text;
  for (const Command* c : commands_.available(ctx)) {
    if (c->keyword.empty()) continue;  // ad-hoc only
    text += "\n" + c->keyword + (c->help.empty() ? "" : " — " + c->help);
  }
  if (text.empty()) return say(ctx, "There are no commands you can run here.");
  say(ctx, "Commands:" + text +
               "\nSend 'help <command>' for details, 'abort' to cancel a running command.");
}

void ChatCommands::say(const CommandContext& ctx, std::string_view text) {
  ctx.gateway.send_message(ctx.requester, text);
}

void ChatCommands::refresh(CommandContext& ctx) const {
  CommandContext now = commands_.context_for(ctx.requester);
  ctx.user = std::move(now.user);
  ctx.session = std::move(now.session);
  ctx.is_admin = now.is_admin;
}

asio::awaitable<void> ChatCommands::converse(Jid from, const Command* command) {
  CommandContext ctx = commands_.context_for(from);
  // Copied: commands added later may move the registry's vector while this one is suspended.
  const auto run = command->run;
  const std::string keyword = command->keyword;
  try {
    Outcome first = co_await run(ctx);
    co_await follow(ctx, std::move(first));
  } catch (const StanzaError& e) {
    say(ctx, "Error: " + (e.text().empty() ? std::string(to_string(e.condition())) : e.text()));
  } catch (const std::exception& e) {
    rethrow_if_cancellation(e);
    spdlog::error("{}: chat command '{}' failed: {}", from.str(), keyword, e.what());
    say(ctx, "Error: internal error");
  }
}

asio::awaitable<void> ChatCommands::follow(CommandContext& ctx, Outcome outcome) {
  for (;;) {
    if (const Note* note = std::get_if<Note>(&outcome.value)) {
      const char* prefix = note->kind == Note::Kind::error  ? "Error: "
                           : note->kind == Note::Kind::warn ? "Warning: "
                                                            : "";
      co_return say(ctx, prefix + note->text);
    }
    if (const Table* table = std::get_if<Table>(&outcome.value)) {
      co_return say(ctx, render_table(*table));
    }
    // The continuation is moved out of `outcome` before `outcome` is overwritten by its
    // result: a coroutine lambda's captures live in the lambda object, not in its frame.
    if (Confirmation* confirmation = std::get_if<Confirmation>(&outcome.value)) {
      auto next = std::move(confirmation->next);
      auto answer = co_await ask(ctx, confirmation->question + " (yes/no)");
      if (!answer) co_return;
      if (!yes_no(*answer).value_or(false)) co_return say(ctx, "Cancelled.");
      Outcome result = co_await next(ctx);
      outcome = std::move(result);
      continue;
    }
    FormStep& step = std::get<FormStep>(outcome.value);
    Continuation next = std::move(step.next);
    const Form form = std::move(step.form);
    auto submitted = co_await ask_form(ctx, form);
    if (!submitted) co_return;
    Outcome result = co_await next(ctx, *submitted);
    outcome = std::move(result);
  }
}

asio::awaitable<std::optional<std::string>> ChatCommands::ask(CommandContext& ctx,
                                                              std::string prompt) {
  const auto asked = Clock::now();
  auto line = co_await GatewayRuntime(ctx.gateway).ask(ctx.requester, prompt, kAnswerTimeout);
  if (!line) {
    // An early empty answer means another question to this user replaced ours (or the
    // gateway is stopping): that one speaks now, so this conversation ends quietly.
    if (Clock::now() - asked >= kAnswerTimeout)
      say(ctx, "No answer in time: the command was cancelled.");
    else
      spdlog::debug("{}: chat command superseded by another question", ctx.requester.str());
    co_return std::nullopt;
  }
  refresh(ctx);
  if (lower(trim(*line)) == "abort") {
    say(ctx, "Cancelled.");
    co_return std::nullopt;
  }
  co_return line;
}

asio::awaitable<std::optional<std::vector<std::string>>> ChatCommands::ask_field(
    CommandContext& ctx, const FormField& field, std::string preface) {
  // Checked on its own right away, so that the user fixes an answer while it is fresh.
  Form definition;
  definition.fields = {field};
  std::string prompt = preface.empty() ? prompt_for(field) : preface + "\n" + prompt_for(field);
  for (;;) {
    auto line = co_await ask(ctx, prompt);
    if (!line) co_return std::nullopt;
    const std::string word = lower(trim(*line));
    chat::Parsed parsed;
    if (word == "skip") {
      if (has_value(field)) parsed.values = field.values;
      if (field.required && !has_value(field)) parsed.error = "This field is required.";
    } else if (word == "-" && !field.required && field.type != FieldType::boolean) {
      parsed.values = {};
    } else {
      parsed = chat::parse_answer(field, *line);
    }
    if (parsed.error.empty()) {
      Form answer;
      answer.type = "submit";
      answer.fields = {field};
      answer.fields.front().values = parsed.values;
      if (auto error = validate_submission(definition, answer)) parsed.error = error->message + ".";
    }
    if (parsed.error.empty()) co_return std::move(parsed.values);
    prompt = "Error: " + parsed.error + "\n" + prompt_for(field);
  }
}

asio::awaitable<std::optional<Form>> ChatCommands::ask_form(CommandContext& ctx, const Form& form) {
  const bool asks = std::any_of(form.fields.begin(), form.fields.end(), [](const FormField& f) {
    return f.type != FieldType::fixed && f.type != FieldType::hidden && !f.var.empty();
  });
  std::string intro = form.title;
  for (const auto& line : form.instructions) intro += (intro.empty() ? "" : "\n") + line;
  if (asks) intro += std::string(intro.empty() ? "" : "\n") + "(Send 'abort' to cancel.)";
  if (!intro.empty()) say(ctx, intro);

  Form submitted;
  submitted.type = "submit";
  for (const auto& field : form.fields) {
    if (field.type == FieldType::fixed) {
      std::string text;
      for (const auto& v : field.values) text += (text.empty() ? "" : "\n") + v;
      if (text.empty()) text = field.label;
      if (!text.empty()) say(ctx, text);
      continue;
    }
    if (field.var.empty()) continue;  // nothing a submission could name
    FormField answer;
    answer.var = field.var;
    answer.type = field.type;
    if (field.type == FieldType::hidden) {
      answer.values = field.values;
    } else {
      auto values = co_await ask_field(ctx, field);
      if (!values) co_return std::nullopt;
      answer.values = std::move(*values);
    }
    submitted.fields.push_back(std::move(answer));
  }

  // Whole-form rules (FORM_TYPE) the per-field checks do not cover.
  while (auto error = validate_submission(form, submitted)) {
    const FormField* def = form.field(error->var);
    FormField* answer = submitted.field(error->var);
    if (!def || !answer || def->type == FieldType::hidden) {
      say(ctx, "Error: " + error->message);
      co_return std::nullopt;
    }
    auto values = co_await ask_field(ctx, *def, "Error: " + error->message + ".");
    if (!values) co_return std::nullopt;
    answer->values = std::move(*values);
  }
  co_return submitted;
}

std::string ChatCommands::render_table(const Table& table) {
  std::vector<std::vector<std::string>> lines;
  if (!table.columns.empty()) {
    std::vector<std::string> header;
    for (const auto& [var, label] : table.columns) header.push_back(label.empty() ? var : label);
    lines.push_back(std::move(header));
  }
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    for (std::string cell : row) {
      std::replace(cell.begin(), cell.end(), '\n', ' ');
      cells.push_back(std::move(cell));
    }
    lines.push_back(std::move(cells));
  }
  std::vector<std::size_t> widths;
  for (const auto& line : lines) {
    if (widths.size() < line.size()) widths.resize(line.size(), 0);
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], width(line[i]));
  }
  if (!table.columns.empty()) {
    std::vector<std::string> rule;
    for (std::size_t i = 0; i < widths.size(); ++i) rule.emplace_back(widths[i], '-');
    lines.insert(lines.begin() + 1, std::move(rule));
  }

  std::string out = table.title;
  if (table.rows.empty()) return out + (out.empty() ? "" : "\n") + "(nothing to show)";
  // A XEP-0393 preformatted block: clients that style messages show it in a fixed-width
  // font, which is what makes the alignment visible.
  out += std::string(out.empty() ? "" : "\n") + "```";
  for (const auto& line : lines) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < widths.size()) text += std::string(widths[i] - width(line[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += "\n" + text;
  }
  return out + "\n```";
}

}  // namespace legate
