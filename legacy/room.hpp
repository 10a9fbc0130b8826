// Room: a legacy group chat, served by the gateway as a XEP-0045 room `group@gw`. Bridges
// subclass it for the XMPP → legacy hooks (on_text…) and call the setters and its
// participants' actions for what happens on the legacy side. State (name, kind, subject,
// participants, the user's joined resources) is stored, so a room answers disco and joins
// from storage and comes back after a restart.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "../component/element.hpp"
#include "../component/jid.hpp"
#include "../component/muc_history.hpp"
#include "../storage/room_store.hpp"
#include "participant.hpp"
#include "room_types.hpp"
#include "types.hpp"

namespace legate {

class Contact;
class Session;
struct MamQuery;
struct ArchivedMessage;

class Room {
 public:
  using Time = std::chrono::system_clock::time_point;

  Room(Session& session, RoomRecord record);
  virtual ~Room();
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const LegacyId& legacy_id() const { return record_.legacy_id; }
  const Jid& jid() const { return jid_; }
  Session& session() { return session_; }
  RoomKind kind() const;
  const std::string& name() const { return record_.name; }
  const std::string& description() const { return record_.description; }
  const std::string& subject() const { return record_.subject; }
  // The user's nick here (default: the user's JID local part).
  std::string user_nick() const;
  // Whether one of the user's resources is in the room.
  bool joined() const { return !resources_.empty(); }

  // --- set by the bridge (stored) ---
  void set_name(std::string name);
  void set_description(std::string description);
  void set_kind(RoomKind kind);
  // The user's nick here. While resources are joined they see the change (XEP-0045 §7.6:
  // unavailable with 303 and the new nick, then available, both with 110). A participant
  // no longer present under that nick is forgotten first; one present keeps it (no change).
  void set_user_nick(std::string nick);
  // The group's picture (XEP-0486), like Contact::set_avatar: PNG scaled down to 200 px,
  // JPEG/GIF within it, stored once by hash. Joined resources get the room's presence with
  // the new hash; joining ones find it in the roominfo form (the join sequence of XEP-0045
  // stays as it is); the vCard of the room JID carries it. Empty bytes: no picture.
  void set_avatar(std::string bytes, std::string type = "image/png");
  const std::string& avatar_hash() const { return record_.avatar_hash; }
  // The room's vCard (XEP-0054 on the room JID, XEP-0486): its name and picture.
  Element vcard();
  // The subject, set by a participant (nullptr: the room) at `when` (nullopt: unknown);
  // sent to the joined resources when it changes.
  void set_subject(std::string text, Participant* by = nullptr, std::optional<Time> when = {});
  // The user left the group on the legacy side, or was removed from it (`kicked`: by a
  // moderator, 307; else 321): every joined resource gets its unavailable self-presence with
  // the reason, and leaves.
  void user_removed(std::string_view reason = {}, bool kicked = false);
  // A line from the group itself to the joined resources (a groupchat message from the room
  // JID, not archived), for events that are nobody's message: e.g. IRC's mode changes.
  void send_notice(std::string_view text);

  // --- participants ---
  // The participant for a legacy contact (linked to roster().by_legacy_id()), created on
  // first use with `nick` (default: the contact's nick or name).
  Participant& participant(const LegacyId& contact_id, std::string nick = {});
  // A participant known by nick only (anonymous channels).
  Participant& participant_by_nick(std::string_view nick);
  // The user's own occupant.
  Participant& user();
  // An existing participant by nick, or of a legacy contact (nullptr if none).
  Participant* find_participant(std::string_view nick);
  // Forgets a participant who is gone (not present, not the user): their stored row,
  // occupant and affiliation, for rooms where who left is of no further use (an IRC
  // channel's passers-by, whose modes end as they leave). Any reference to them is invalid
  // after it. Whether it forgot them.
  bool forget_participant(std::string_view nick);
  Participant* find_participant_of(const LegacyId& contact_id);
  std::vector<Participant*> participants();

  // --- hooks (defaults: info and participants do nothing; the rest refuse with
  // feature-not-implemented) ---
  // Called at the first join of each run: set the name, kind, subject…
  virtual asio::awaitable<void> update_info() { co_return; }
  // Called at the first join ever (and when asked again): add the participants.
  virtual asio::awaitable<void> fill_participants() { co_return; }
  // Called at every join of one of the user's resources, after update_info(): networks where
  // being in a group lasts a connection (IRC) enter it here if they are not in it; a
  // StanzaError refuses the join.
  virtual asio::awaitable<void> on_join() { co_return; }
  // The user's last joined resource left (an unavailable presence, with its status, or a
  // bounce): such networks leave the group too.
  virtual void on_all_left(std::string_view /*status*/) {}
  // Called once per run at the first history query: archive the messages of the legacy
  // group between `after` (the newest archived before this run; none: the first time) and
  // `before` (the oldest seen live in this run; none: up to now) with
  // participant(…).archive_text(). The query waits for it up to a deadline; it may go on
  // after that. Default: no history from the legacy network.
  struct HistoryBound {
    LegacyId id;
    Time when;
  };
  virtual asio::awaitable<void> backfill(std::optional<HistoryBound> /*after*/,
                                         std::optional<HistoryBound> /*before*/) {
    co_return;
  }
  // How many archived messages a resource gets when it joins (XEP-0045 §7.2.14; fewer if it
  // asks, none if it asks for none, as MAM clients do). Default: 20.
  virtual std::size_t history_on_join() const { return 20; }
  // Whether occupants see each other's JIDs (XEP-0045 non-anonymous: status 100 at the join,
  // every occupant item's jid, muc_nonanonymous). Default: groups do, channels do not.
  virtual bool non_anonymous() const { return kind() == RoomKind::group; }
  // The JID shown for a participant when non_anonymous() (empty: none). Default: their
  // contact's JID. A bridge whose nicks are addresses (IRC: nick%server@gw) returns that
  // without making a contact.
  virtual std::string real_jid_of(Participant& participant);
  // Whether the room keeps what is said (MAM, history on join). Off: only ids are archived,
  // for replies, corrections and reactions; queries and joins find nothing. Default: on.
  virtual bool record_history() const { return true; }
  // The user sent a text to the room; return its legacy id.
  virtual asio::awaitable<LegacyId> on_text(const Text& text);
  // The user corrected / retracted their message `id`, or reacted to message `id`.
  virtual asio::awaitable<void> on_correct(const LegacyId& id, const Text& text);
  virtual asio::awaitable<void> on_retract(const LegacyId& id);
  virtual asio::awaitable<void> on_react(const LegacyId& id, std::vector<std::string> emojis);
  // The user set the subject (a groupchat with only <subject/>); return to accept it (it is
  // then shown as set by the user). Default: forbidden.
  virtual asio::awaitable<void> on_set_subject(std::string subject);
  // The user read up to message `id` (a XEP-0333 marker), or typed (XEP-0085). Default:
  // ignored, as the legacy network may have no such thing.
  virtual asio::awaitable<void> on_displayed(const LegacyId& id);
  virtual asio::awaitable<void> on_chat_state(ChatState state);
  // The user invited a contact (XEP-0249 direct or XEP-0045 §7.8.2 mediated).
  virtual asio::awaitable<void> on_invite(Contact& contact, std::string reason);
  // The user, as a moderator, removed a participant (role none, §8.2); on success the
  // participant leaves with 307.
  virtual asio::awaitable<void> on_kick(Participant& participant, std::string reason);
  // The user changed a contact's affiliation (§9, §10.6): member/admin/owner adds or promotes,
  // none removes, outcast bans. On success the participant follows.
  virtual asio::awaitable<void> on_set_affiliation(Contact& contact, Affiliation affiliation,
                                                   std::string reason);
  // The user asks an occupant's software version (XEP-0092 to room@gw/nick, which XEP-0045
  // §7.3 lets a room forward). Default: service-unavailable.
  virtual asio::awaitable<OccupantVersion> on_occupant_version(Participant& who);
  // A joined resource asks for another nick (§7.6). Return the nick now in effect (the
  // framework calls set_user_nick() with it); throw StanzaError: conflict when taken.
  // Default: not-acceptable ("nick changes are not supported in this group").
  virtual asio::awaitable<std::string> on_nick_change(std::string wanted);
  // The user leaves the group for good (XEP-0077 <remove/> to the room, §7.10): on success
  // every joined resource leaves and the room is forgotten.
  virtual asio::awaitable<void> on_leave();
  // The user, as owner, destroys the group (§10.9); on success as on_leave.
  virtual asio::awaitable<void> on_destroy(std::string reason);

  // --- framework side (the room router) ---
  // update_info() once per run (the first join, or the login's bookmarks: name and nick).
  asio::awaitable<void> ensure_info();
  // A resource joins under `nick` (the join's `id` is reflected): participants, then the
  // self-presence, then the subject. A resource already in is sent everything again.
  // `history`: what the join asked of the discussion history (sent before the subject).
  asio::awaitable<void> join(std::string resource, std::string nick, std::string id,
                             MucHistory history = {});
  // A resource left (or vanished): its unavailable self-presence; nothing else changes.
  void leave(std::string_view resource, bool send = true, std::string_view status = {});
  bool has_resource(std::string_view resource) const;
  const std::vector<std::string>& resources() const { return resources_; }
  // A groupchat message from a joined resource (text, correction, retraction, reaction):
  // handed to its hook, then reflected to every joined resource with the client's id,
  // origin-id and the room's new stanza-id; markers and chat states go to their hooks and
  // are reflected without one.
  asio::awaitable<void> user_message(Element stanza);
  // The legacy id of a message of this room by its stanza-id or message id.
  std::optional<LegacyId> legacy_id_of(std::string_view xmpp_id);
  // The room's disco#info, from what is stored.
  Element disco_info();
  // A XEP-0313 query to the room from one of the user's resources (`to`): every result
  // message sent there; returns the <fin/>.
  Element archive_query(std::string_view to, const MamQuery& query);
  // XEP-0313 §5: the first and last archived messages.
  Element archive_metadata();
  // Runs backfill() if it has not run in this run, waiting for it at most `deadline`.
  asio::awaitable<void> backfill_once(std::chrono::milliseconds deadline);
  // A backfill is still running (the archive may get older messages: not stable).
  bool backfilling() const { return backfilling_; }
  // A participant's live message (the oldest of the run bounds the backfill).
  void note_live(const LegacyId& id, Time when);
  // The gateway stops: every joined resource gets its unavailable 110+332.
  void shutdown();
  // After on_leave / on_destroy: every joined resource gets its unavailable 110 (with the
  // XEP-0045 §10.9 <destroy/> when `destroyed`); the caller then forgets the room.
  void user_gone(bool destroyed, std::string_view reason);
  // The id-map kind of this room's messages (stanza-id <-> legacy id).
  std::string id_kind() const { return "group:" + record_.local; }
  // Sends `stanza` to every joined resource (its `to` set to each in turn).
  void broadcast(Element stanza);
  // An occupant's presence to one resource.
  Element presence_of(Participant& p, std::string_view to, std::string_view type = {});

 private:
  friend class Participant;
  void save();
  // An archived message as the room sent it (from the occupant, no `to`), its elements in
  // `ns`; nullopt if its stored payload is unreadable.
  std::optional<Element> archived_message(const ArchivedMessage& m, std::string_view ns);
  // The nick of the participant shown with this real JID (empty: nobody).
  std::string nick_of_real_jid(const Jid& bare);
  // The discussion history a joining resource gets (XEP-0045 §7.2.14), with delays.
  void send_history(std::string_view to, const MucHistory& history);
  Participant& add(ParticipantRecord record);
  void load_participants();  // from storage, once
  // The lookups beside by_nick_: the user's occupant and contacts' participants.
  void index(Participant& p);
  void unindex(Participant& p);
  std::string full_jid(std::string_view resource) const;
  std::string occupant_jid(std::string_view nick) const;
  void send_subject(std::string_view to);
  // The room's own presence with its avatar hash, on change (XEP-0486; room_avatar.cpp).
  void send_avatar_presence(std::string_view to);
  // The user's message reflected to every joined resource (with the room's stanza-id).
  void reflect(Element stanza, std::string_view stanza_id, const LegacyId& legacy_id = {});
  // Archives `message` (its children but the stanza-id) as sent by `nick` (XEP-0313).
  void archive(const Element& message, std::string_view stanza_id, const LegacyId& legacy_id,
               std::string_view nick, std::optional<Time> when = {});

  Session& session_;
  RoomRecord record_;
  Jid jid_;
  std::vector<std::string> resources_;  // the user's resources in the room, joined order
  std::map<std::string, std::unique_ptr<Participant>, std::less<>> by_nick_;
  std::map<LegacyId, Participant*, std::less<>> by_legacy_;
  Participant* me_ = nullptr;
  bool info_updated_ = false;  // update_info() ran in this run
  bool loaded_ = false;        // participants read from storage
  std::optional<Time> subject_when_;
  Time run_start_ = std::chrono::system_clock::now();
  std::optional<HistoryBound> first_live_;
  bool backfill_started_ = false;
  bool backfilling_ = false;
};

}  // namespace legate
