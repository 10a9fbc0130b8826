// Sessions: assembling the parts, the life cycle across them, SessionHost.
#include "gateway/sessions.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "component/digest.hpp"
#include "gateway/file_transfers.hpp"
#include "gateway/runtime.hpp"
#include "legacy/contact_stanzas.hpp"
#include "storage/contact_store.hpp"
#include "storage/id_map.hpp"
#include "storage/room_archive.hpp"
#include "storage/secrets.hpp"

namespace legate {

Sessions::Sessions(BaseGateway::Runtime& runtime)
    : rt_(runtime),
      ids_(std::make_unique<IdMap>(runtime.database, runtime.component.router().executor(),
                                   runtime.writer.get())),
      archive_(std::make_unique<RoomArchive>(
          runtime.database, runtime.component.router().executor(), runtime.writer.get())),
      prune_timer_(std::make_unique<asio::steady_timer>(runtime.component.router().executor())),
      grants_timer_(std::make_unique<asio::steady_timer>(runtime.component.router().executor())),
      contact_pep_(runtime.component, runtime.database, registry_),
      status_(runtime.component, runtime.avatar.empty() ? "" : sha1_hex(runtime.avatar)),
      occupant_secret_(stored_secret(runtime.database, "occupant-id")),
      rooms_(runtime.component, runtime.settings.backfill_timeout),
      privileged_iq_(runtime.component, grants_),
      carbons_(Carbons::Parts{
          runtime.component, grants_, status_, runtime.settings.admins,
          runtime.settings.carbons_fallback ? CarbonsFallback::prefix : CarbonsFallback::off}),
      roster_(runtime.component, grants_, runtime.info.name),
      bookmarks_(runtime.component, grants_, privileged_iq_),
      displayed_(runtime.component, grants_, privileged_iq_),
      logins_(registry_, status_, runtime.component.router().tasks(),
              runtime.settings.first_login_retry,
              [this](std::shared_ptr<Session> session) { return after_login(std::move(session)); }),
      files_(std::make_unique<FileTransfers>(
          FileTransfers::Parts{runtime.component, runtime.database, runtime.upload,
                               runtime.features, registry_, presences_},
          FileLimits{runtime.settings.max_file_bytes, runtime.settings.file_timeout})) {
  rooms_.on_opened([this](std::shared_ptr<Session> session, Room& room) {
    rt_.component.router().tasks().spawn(bookmarks_.opened(std::move(session), room.jid()),
                                         "bookmark");
  });
  rooms_.on_left([this](const Jid& user, const Jid& room) {
    rt_.component.router().tasks().spawn(bookmarks_.removed(user, room), "bookmark");
  });
  contacts_ = std::make_unique<ContactRouter>(
      ContactRouter::Parts{rt_.component, registry_, presences_, roster_, status_, *files_, rooms_,
                           contact_pep_, rt_.database, *ids_, rt_.features,
                           [this](const Jid& user) { return rt_.users.find(user).has_value(); }});
  services_ = std::make_unique<SessionServices>(SessionServices::Parts{
      rt_.gateway, rt_.component, rt_.database, *ids_, *archive_, rt_.features, rt_.users, roster_,
      status_, rt_.chat_input, *files_, carbons_, privileged_iq_, contact_pep_, displayed_,
      occupant_secret_, [this](const Jid& user) { re_login(user); }});
  Metrics& metrics = rt_.component.metrics();
  prune_message_ids();
  metrics_hook_ = metrics.on_collect([this, &metrics] {
    metrics.sessions_logged_in().set(static_cast<double>(logged_in_count()));
    metrics.sessions_failing().set(static_cast<double>(failing_count()));
    metrics.registered_users().set(static_cast<double>(rt_.users.count()));
  });
}
Sessions::~Sessions() = default;

void Sessions::prune_message_ids() {
  const GatewaySettings& s = rt_.settings;
  if (s.message_ids_days == 0 && s.archive_days == 0 && s.archive_max_per_room == 0) return;
  const auto now = std::chrono::system_clock::now();
  const auto day = std::chrono::hours(24);
  try {
    if (s.message_ids_days > 0) ids_->prune(now - day * s.message_ids_days);
    const std::int64_t archive_before = s.archive_days == 0
                                            ? 0
                                            : std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  (now - day * s.archive_days).time_since_epoch())
                                                  .count();
    archive_->prune(archive_before, s.archive_max_per_room);
  } catch (const std::exception& e) {
    spdlog::warn("storage: pruning old messages failed: {}", e.what());
  }
  prune_timer_->expires_after(std::chrono::hours(6));
  prune_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) prune_message_ids();  // cancelled: Sessions is gone, do not touch it
  });
}

std::shared_ptr<Session> Sessions::create(const Jid& user) {
  if (auto existing = find(user)) return existing;
  auto record = rt_.users.find(user.bare());
  if (!record) return nullptr;
  std::unique_ptr<Session> made = rt_.gateway.make_session(
      *services_, User{record->jid, record->legacy_data,
                       rt_.with_default_preferences(record->preferences), record->id});
  if (!made) return nullptr;
  std::shared_ptr<Session> session(std::move(made));
  registry_.add(session);
  return session;
}

void Sessions::connected() {
  grants_.clear();
  logins_waiting_ = true;
  if (rt_.settings.grants_wait.count() == 0) {
    // Posted: grants that came with the handshake are read before it runs.
    asio::post(rt_.component.router().executor(), [this] { start_waiting_logins(); });
    return;
  }
  grants_timer_->expires_after(rt_.settings.grants_wait);
  grants_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) start_waiting_logins();  // cancelled: started already, or Sessions is gone
  });
}

void Sessions::granted(const Jid& server, Privileges grants) {
  const bool check_messages = grants.ns == kPrivilegeV1Ns && grants.can_send_messages();
  grants_.grant(server, std::move(grants));
  if (check_messages)
    rt_.component.router().tasks().spawn(check_message_routing(server), "server version");
  if (server.domain() == rt_.settings.server_domain && logins_waiting_) {
    start_waiting_logins();
    grants_timer_->cancel();
  }
}

namespace {

// Whether an ejabberd version ("23.01", "23.01-1") is older than 23.10; unreadable: yes.
bool before_23_10(std::string_view version) {
  int major = 0, minor = 0;
  const char* end = version.data() + version.size();
  auto [dot, ec] = std::from_chars(version.data(), end, major);
  if (ec != std::errc() || dot == end || *dot != '.') return true;
  if (std::from_chars(dot + 1, end, minor).ec != std::errc()) return true;
  return major < 23 || (major == 23 && minor < 10);
}

}  // namespace

// ejabberd before 23.10 routes a privileged message straight to its recipient: no carbon
// reaches the user's clients, nothing is archived, and the message comes back to the
// gateway. Only its software version tells (23.10 to 24.07 send the same privilege:1).
asio::awaitable<void> Sessions::check_message_routing(Jid server) {
  Element iq = make_iq(IqType::get, rt_.component.jid().str(), server.str(),
                       rt_.component.router().next_id());
  iq.add_child("query", std::string(kVersionNs));
  try {
    const Element reply = co_await rt_.component.request(std::move(iq), std::chrono::seconds(10));
    const Element* query = reply.child("query", kVersionNs);
    const Element* name = query ? query->child("name", kVersionNs) : nullptr;
    const Element* version = query ? query->child("version", kVersionNs) : nullptr;
    const std::string number = version ? version->text() : std::string();
    if (name && name->text() == "ejabberd" && before_23_10(number))
      grants_.message_unusable(server, "ejabberd " + number +
                                           " routes privileged messages past carbons and MAM "
                                           "(fixed in ejabberd 23.10)");
  } catch (const StanzaError& e) {
    spdlog::debug("XEP-0356: no software version from {}: {}", server.str(), e.what());
  }
}

void Sessions::start_waiting_logins() {
  if (std::exchange(logins_waiting_, false)) login_all();
}

void Sessions::login_all(std::size_t parallel) {
  std::vector<Jid> to_log_in;
  for (const auto& record : rt_.users.all()) {
    auto session = create(record.jid);
    if (!session) continue;
    if (session->logged_in()) {
      status_.send(record.jid);  // a reconnect: show the current state again
      for (Contact* contact : session->roster().all()) contact->send_presence_to(record.jid);
      continue;
    }
    to_log_in.push_back(record.jid);
  }
  logins_.log_in_all(std::move(to_log_in), parallel);
}

void Sessions::start(const Jid& user) {
  if (auto session = create(user)) logins_.log_in(std::move(session));
}

asio::awaitable<void> Sessions::after_login(std::shared_ptr<Session> session) {
  const Jid user = session->user_jid();
  // The user's presence may have changed while the login ran: the bridge gets it now.
  if (const UserPresence merged = presences_.merged(user); merged.show != PresenceShow::offline) {
    session->enqueue([session, merged]() -> asio::awaitable<void> {
      try {
        co_await session->on_presence(merged);
      } catch (const StanzaError&) {
      }
    });
  }
  rt_.component.router().tasks().spawn(displayed_.after_login(user), "read markers");
  // The session is logged in and messages flow even if the contact list cannot be had:
  // a failed fill() is reported, not treated as a failed login (which would log in again
  // without logging out first).
  try {
    const std::vector<LegacyId> contacts = co_await session->roster().fill();
    co_await roster_.reconcile(*session);
    // A contact the user took out of their roster stays out until they add it again.
    for (const auto& id : contacts) {
      Contact& contact = session->roster().by_legacy_id(id);
      if (!contact.in_roster() && !contact.removed_by_user()) roster_.add(contact);
    }
  } catch (const std::exception& e) {
    rethrow_if_cancellation(e);
    spdlog::warn("{}: could not list the contacts: {}", user.str(), e.what());
    rt_.send_chat(user, std::string("Could not list your contacts: ") + e.what() +
                            " (send re-login to try again)");
  }
  try {
    std::set<LegacyId, std::less<>> known;
    for (Room* room : session->rooms().all()) known.insert(room->legacy_id());
    const std::vector<LegacyId> groups = co_await session->rooms().fill();
    std::vector<Room*> fresh;
    for (const auto& id : groups) {
      Room& room = session->rooms().by_legacy_id(id);
      co_await room.ensure_info();  // the name and the user's nick, for bookmarks
      if (!known.contains(id)) fresh.push_back(&room);
    }
    co_await bookmarks_.after_login(session, std::move(fresh));
  } catch (const std::exception& e) {
    rethrow_if_cancellation(e);
    spdlog::warn("{}: could not list the groups: {}", user.str(), e.what());
  }
}

void Sessions::re_login(const Jid& user) {
  if (auto session = find(user)) logins_.log_in_again(std::move(session));
}

asio::awaitable<void> Sessions::stop(const Jid& user) {
  auto session = registry_.remove(user);
  logins_.forget(user);
  status_.forget(user);
  presences_.forget(user);
  contact_pep_.forget(user);
  displayed_.forget(user);
  // The id map has no foreign key: its rows go here, even for a user never logged in.
  if (auto record = rt_.users.find(user)) ids_->forget(record->id);
  if (!session) co_return;
  archive_->sync();  // nothing of theirs may land after the user's rows are deleted
  co_await SessionRegistry::log_out(*session);
  for (Contact* contact : session->roster().all()) {
    rt_.component.send(make_presence(contact->jid().str(), user.str(), "unavailable"));
  }
}

void Sessions::cancel_background_work() {
  prune_timer_->cancel();
  logins_waiting_ = false;
  grants_timer_->cancel();
}

void Sessions::stop_logins() {
  cancel_background_work();
  logins_.stop();
}

asio::awaitable<void> Sessions::shutdown() {
  stop_logins();
  const auto all = registry_.all();
  for (const auto& session : all) {
    const std::string bare = session->user_jid().bare_str();
    RoomRouter::shutdown(*session);  // before the log-out: rooms load through the session
    co_await SessionRegistry::log_out(*session);
    // Every contact last shown available goes unavailable, without loading them as objects.
    Component& component = rt_.component;
    for (const auto& record : ContactStore(rt_.database).all(session->user().id)) {
      if (record.presence_show == "unavailable") continue;
      component.send(
          make_presence(record.local + "@" + component.jid().str(), bare, "unavailable"));
    }
    component.send(make_presence(component.jid().str(), bare, "unavailable"));
  }
  spdlog::info("{} sessions logged out", all.size());
}

void Sessions::registration_updated(const Jid& user, const Json& legacy_data) {
  auto session = find(user);
  if (!session) return;
  User updated = session->user();
  updated.legacy_data = legacy_data;
  session->set_user(std::move(updated));
  spdlog::info("{}: new registration data handed to the live session, logging in again",
               user.bare_str());
  re_login(user);
}

}  // namespace legate
