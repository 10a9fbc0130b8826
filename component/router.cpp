// Router: handler registry, exactly-once iq answers, and outbound iq tracking.
#include "component/router.hpp"

#include "component/scope_exit.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

namespace legate {

struct Router::Pending {
  std::string expected_from;
  asio::steady_timer timer;
  std::optional<Element> reply;
  std::string failure;
  Router* router;
};

namespace {

// The addressing of a request, kept while its payload is handed to an async handler.
Element request_header(const Element& iq) {
  Element header("iq", std::string(iq.ns()));
  for (std::string_view name : {"from", "to", "id"})
    if (auto v = iq.attr(name)) header.set_attr(name, *v);
  return header;
}

bool same_address(std::string_view a, std::string_view b) {
  if (a == b) return true;
  auto ja = Jid::parse(a);
  auto jb = Jid::parse(b);
  return ja && jb && *ja == *jb;
}

}  // namespace

Router::Router(asio::any_io_executor executor, Outbox& outbox)
    : executor_(std::move(executor)), outbox_(outbox), tasks_(executor_) {
  std::random_device rd;
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "lg%08x-", rd());
  id_prefix_ = prefix;
}

Router::~Router() {
  for (auto& [id, pending] : pending_) pending->router = nullptr;
}

void Router::on_iq(IqType type, std::string_view name, std::string_view ns, IqHandler handler) {
  iq_handlers_[Key{type, std::string(name), std::string(ns)}] = Handlers{std::move(handler), {}};
}

void Router::on_message_payload(std::string_view name, std::string_view ns, StanzaHandler handler) {
  for (auto& entry : message_payload_handlers_) {
    if (entry.name == name && entry.ns == ns) {
      entry.handler = std::move(handler);
      return;
    }
  }
  message_payload_handlers_.push_back({std::string(name), std::string(ns), std::move(handler)});
}

void Router::on_iq_async(IqType type, std::string_view name, std::string_view ns,
                         AsyncIqHandler handler) {
  iq_handlers_[Key{type, std::string(name), std::string(ns)}] = Handlers{{}, std::move(handler)};
}

std::string Router::next_id() {
  std::string id = id_prefix_;
  id += std::to_string(++id_counter_);
  return id;
}

void Router::refuse(const Element& stanza, const StanzaError& error) {
  outbox_.send(error_reply(stanza, error));
}

void Router::dispatch(Element& stanza) {
  try {
    switch (stanza_kind(stanza)) {
      case StanzaKind::iq:
        return dispatch_iq(stanza);
      case StanzaKind::message:
        if (!message_payload_handlers_.empty() && dispatch_message_payload(stanza)) return;
        if (message_handler_) return message_handler_(stanza);
        if (stanza.attr_or("type") != "error")
          refuse(stanza, StanzaError(ErrorCondition::service_unavailable));
        return;
      case StanzaKind::presence:
        if (presence_handler_) presence_handler_(stanza);
        return;
      case StanzaKind::other:
        spdlog::debug("dropping unknown top-level element <{} xmlns='{}'>", stanza.name(),
                      stanza.ns());
        return;
    }
  } catch (const StanzaError& e) {
    if (stanza.attr_or("type") != "error") refuse(stanza, e);
  } catch (const std::exception& e) {
    spdlog::error("handler for <{}/> from {} failed: {}", stanza.name(), stanza.attr_or("from"),
                  e.what());
  }
}

bool Router::dispatch_message_payload(Element& message) {
  for (const auto& entry : message_payload_handlers_) {
    if (message.child(entry.name, entry.ns)) {
      entry.handler(message);
      return true;
    }
  }
  return false;
}

void Router::dispatch_iq(Element& iq) {
  const auto type = iq_type_from(iq.attr_or("type"));
  if (type == IqType::result || type == IqType::error) return deliver_reply(iq);
  if (!type) return refuse(iq, StanzaError(ErrorCondition::bad_request, "invalid iq type"));
  if (iq.children().size() != 1 || !iq.attr("id")) {
    return refuse(iq, StanzaError(ErrorCondition::bad_request,
                                  "an iq get/set needs an id and exactly one payload"));
  }
  const Element& payload = iq.children().front();
  auto it = iq_handlers_.find(KeyView{*type, payload.name(), payload.ns()});
  if (it == iq_handlers_.end()) return refuse(iq, StanzaError(ErrorCondition::service_unavailable));
  answer_iq(iq, it->second);
}

void Router::answer_iq(Element& iq, const Handlers& handlers) {
  if (handlers.sync) {
    try {
      outbox_.send(iq_result(iq, handlers.sync(iq)));
    } catch (const StanzaError& e) {
      refuse(iq, e);
    } catch (const std::exception& e) {
      spdlog::error("iq handler for {} from {} failed: {}", iq.first_child()->ns(),
                    iq.attr_or("from"), e.what());
      refuse(iq, StanzaError(ErrorCondition::internal_server_error));
    }
    return;
  }
  if (tasks_.closed()) {
    refuse(iq, StanzaError(ErrorCondition::service_unavailable, "the gateway is shutting down"));
    return;
  }
  auto run = [this, handler = handlers.async, header = request_header(iq),
              ns = std::string(iq.first_child()->ns()),
              request = std::move(iq)]() mutable -> asio::awaitable<void> {
    std::optional<StanzaError> failed;
    try {
      IqPayload payload = co_await handler(std::move(request));
      outbox_.send(iq_result(header, std::move(payload)));
      co_return;
    } catch (const StanzaError& e) {
      failed = e;
    } catch (const std::exception& e) {
      spdlog::error("iq handler for {} from {} failed: {}", ns, header.attr_or("from"), e.what());
      failed = StanzaError(ErrorCondition::internal_server_error);
    }
    refuse(header, *failed);
  };
  tasks_.spawn(std::move(run), "iq handler");
}

void Router::deliver_reply(Element& reply) {
  auto it = pending_.find(std::string(reply.attr_or("id")));
  if (it == pending_.end()) {
    spdlog::debug("ignoring iq {} with unknown id from {}", reply.attr_or("type"),
                  reply.attr_or("from"));
    return;
  }
  Pending& pending = *it->second;
  // Replies must come from whom we asked (RFC 6120 §8.1.2.1), or anyone could answer.
  if (!same_address(pending.expected_from, reply.attr_or("from"))) {
    spdlog::warn("ignoring iq reply id {} from {} (sent to {})", reply.attr_or("id"),
                 reply.attr_or("from"), pending.expected_from);
    return;
  }
  pending.reply = std::move(reply);
  pending_.erase(it);
  pending.timer.cancel();
}

void Router::fail_pending(std::string_view reason) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    p->failure = reason;
    p->timer.cancel();
  }
}

asio::awaitable<Element> Router::request(Element iq, std::chrono::milliseconds timeout) {
  std::string id(iq.attr_or("id"));
  if (id.empty()) {
    id = next_id();
    iq.set_attr("id", id);
  }
  Pending pending{
      std::string(iq.attr_or("to")), asio::steady_timer(executor_, timeout), {}, {}, this};
  // Unregisters on every exit, including the frame being destroyed at shutdown.
  ScopeExit unregister{[&pending, &id] {
    if (!pending.router) return;
    auto it = pending.router->pending_.find(id);
    if (it != pending.router->pending_.end() && it->second == &pending)
      pending.router->pending_.erase(it);
  }};
  pending_[id] = &pending;
  outbox_.send(iq);
  co_await pending.timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!pending.reply) co_await throw_if_cancelled();
  if (!pending.reply) {
    throw StanzaError(ErrorCondition::remote_server_timeout,
                      pending.failure.empty() ? "no reply in time" : pending.failure);
  }
  if (pending.reply->attr_or("type") == "error") throw StanzaError::from_stanza(*pending.reply);
  co_return std::move(*pending.reply);
}

}  // namespace legate
