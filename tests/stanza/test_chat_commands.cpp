// Stanza-level tests of chat commands: keywords sent to the gateway JID, help by access
// level, forms asked field by field, confirmations, tables, errors, and lines left to the
// gateway's own replies.
#include <doctest/doctest.h>

#include "commands/chat_commands.hpp"
#include "tests/stanza/chat_commands_fixture.hpp"

using namespace legate;
using namespace legate::test;
using namespace legate::test::chat;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

TEST_CASE("chat commands: help lists only what the sender may run") {
  ChatCommandsFixture f;
  SUBCASE("anyone") {
    const std::string help = f.exchange("help");
    CHECK(contains(help, "ping — Answers pong"));
    CHECK(contains(help, "fruit — A table"));
    CHECK_FALSE(contains(help, "whoami"));
    CHECK_FALSE(contains(help, "setup"));
    CHECK_FALSE(contains(help, "secret"));
    CHECK_FALSE(contains(help, "Not offered in chat"));  // no keyword: ad-hoc only
  }
  SUBCASE("registered") {
    f.register_user(kChatAlice);
    const std::string help = f.exchange("help");
    CHECK(contains(help, "ping — Answers pong"));
    CHECK(contains(help, "whoami — Shows your address"));
    CHECK(contains(help, "setup — Configures things in two steps"));
    CHECK_FALSE(contains(help, "secret"));
  }
  SUBCASE("admin") {
    const std::string help = f.exchange("Help", kChatAdmin);
    CHECK(contains(help, "secret — Admins only"));
    CHECK(contains(help, "ping"));
    CHECK_FALSE(contains(help, "whoami"));  // admins need not be registered, these do
    CHECK(f.exchange("secret", kChatAdmin) == "the admin secret");
  }
}

TEST_CASE("chat commands: help <keyword>") {
  ChatCommandsFixture f;
  f.register_user(kChatAlice);
  CHECK(f.exchange("help setup") == "setup: Setup\nConfigures things in two steps");
  CHECK(f.exchange("help PING") == "ping: Ping\nAnswers pong");
  CHECK(contains(f.exchange("help secret"), "No command 'secret'"));
  CHECK(contains(f.exchange("help nothing-like-it"), "No command 'nothing-like-it'"));
}

TEST_CASE("chat commands: note commands") {
  ChatCommandsFixture f;
  CHECK(f.exchange("ping") == "pong");
  CHECK(f.exchange("  Ping with words after it") == "pong");
  CHECK(f.exchange("complain") == "Error: that went wrong");
  f.register_user(kChatAlice);
  CHECK(f.exchange("whoami") == "you are alice@test");
}

TEST_CASE("chat commands: a two-step form chain") {
  ChatCommandsFixture f;
  f.register_user(kChatAlice);
  CHECK(f.exchange("setup") == "Setup\nTwo steps.\n(Send 'abort' to cancel.)");
  CHECK(f.next_body() == "Step one.");
  CHECK(f.next_body() == "Color\n1. Red\n2. Green\n3. Blue\nAnswer with a number.");
  CHECK(f.exchange("2") == "Notify me\nAnswer yes or no.\nCurrent: no. Send 'skip' to keep it.");
  CHECK(f.exchange("yes") == "Setup, step 2\n(Send 'abort' to cancel.)");
  CHECK(f.next_body() == "Nickname");
  CHECK(f.exchange("Al") == "Buddy\nOptional: send 'skip' to leave it empty.");
  CHECK(f.exchange("bob@test") ==
        "Days\n1. Monday\n2. Tuesday\n3. Wednesday\n"
        "Answer with one or more numbers, separated by spaces.\n"
        "Optional: send 'skip' to leave it empty.");
  // The hidden field of step 1 came back with the submission.
  CHECK(f.exchange("1, 3") == "color=green notify=1 step=1 nick=Al buddy=bob@test days=mon;wed;");
  CHECK(f.exchange("ping") == "pong");  // the conversation is over
}

TEST_CASE("chat commands: invalid answers are asked again") {
  ChatCommandsFixture f;
  f.register_user(kChatAlice);
  f.exchange("setup");
  f.next_body();
  f.next_body();
  CHECK(contains(f.exchange("7"),
                 "Error: '7' is not one of the options: answer with a number "
                 "from 1 to 3.\nColor\n1. Red"));
  CHECK(contains(f.exchange("blue"), "Notify me"));  // an option's value works too
  CHECK(contains(f.exchange("maybe"), "Error: Please answer yes or no.\nNotify me"));
  CHECK(contains(f.exchange("skip"), "Setup, step 2"));  // keeps the default, no
  f.next_body();
  CHECK(f.exchange("skip") == "Error: This field is required.\nNickname");
  CHECK(contains(f.exchange("Al"), "Buddy"));
  CHECK(contains(f.exchange("bad@"), "Error: field 'buddy': "));
  CHECK(contains(f.exchange("skip"), "Days"));
  CHECK(contains(f.exchange("2 9"), "Error: '9' is not one of the options"));
  CHECK(f.exchange("Tuesday") == "color=blue notify=0 step=1 nick=Al buddy= days=tue;");
}

TEST_CASE("chat commands: abort") {
  ChatCommandsFixture f;
  f.register_user(kChatAlice);
  SUBCASE("at the first question") {
    f.exchange("setup");
    f.next_body();
    f.next_body();
    CHECK(f.exchange("ABORT") == "Cancelled.");
  }
  SUBCASE("in the second step") {
    f.exchange("setup");
    f.next_body();
    f.next_body();
    f.exchange("1");
    f.exchange("no");
    f.next_body();
    CHECK(f.exchange(" abort ") == "Cancelled.");
  }
  SUBCASE("at a confirmation") {
    f.exchange("wipe");
    CHECK(f.exchange("abort") == "Cancelled.");
  }
  // Later lines are commands again, not answers.
  CHECK(f.exchange("ping") == "pong");
  f.g().h().expect_nothing();
}

TEST_CASE("chat commands: a confirmation, yes and no") {
  ChatCommandsFixture f;
  f.register_user(kChatAlice);
  CHECK(f.exchange("wipe") == "Really wipe everything? (yes/no)");
  CHECK(f.exchange("y") == "Wiped.");
  CHECK(f.exchange("wipe") == "Really wipe everything? (yes/no)");
  CHECK(f.exchange("Yes") == "Wiped.");
  CHECK(f.exchange("wipe") == "Really wipe everything? (yes/no)");
  CHECK(f.exchange("no") == "Cancelled.");
  CHECK(f.exchange("wipe") == "Really wipe everything? (yes/no)");
  CHECK(f.exchange("hmm") == "Cancelled.");
}

TEST_CASE("chat commands: a table, rendered aligned") {
  const std::string expected =
      "Fruit\n"
      "```\n"
      "Name        Quantity\n"
      "----------  --------\n"
      "apple       3\n"
      "clémentine  12\n"
      "fig         100\n"
      "```";
  CHECK(ChatCommands::render_table(fruit_table()) == expected);
  CHECK(ChatCommands::render_table(Table{"Nothing", {{"a", "A"}}, {}}) ==
        "Nothing\n(nothing to show)");
  // Rows wider than the columns, no title, a line break in a cell.
  CHECK(ChatCommands::render_table(Table{"", {{"k", "Key"}}, {{"a", "x"}, {"long\nkey"}}}) ==
        "```\nKey\n--------  -\na         x\nlong key\n```");

  ChatCommandsFixture f;
  CHECK(f.exchange("fruit") == expected);
}

TEST_CASE("chat commands: errors thrown by a command") {
  ChatCommandsFixture f;
  CHECK(f.exchange("fail") == "Error: not today");
  CHECK(f.exchange("fail-bare") == "Error: item-not-found");
  CHECK(f.exchange("crash") == "Error: internal error");
  CHECK(f.exchange("ping") == "pong");
}

TEST_CASE("chat commands: lines that are not commands are left to the gateway") {
  ChatCommandsFixture f;
  auto is_registration_required = [](const Element& e) {
    return e.name() == "message" && e.attr_or("type") == "error" &&
           StanzaError::from_stanza(e).condition() == ErrorCondition::registration_required;
  };
  SUBCASE("unregistered: registration-required") {
    f.g().say(kChatAlice, "frobnicate now");
    f.g().next_where(is_registration_required);
    f.g().say(kChatAlice, "whoami");  // a command, but not for them
    f.g().next_where(is_registration_required);
  }
  SUBCASE("registered: the gateway's own reply") {
    f.register_user(kChatAlice);
    CHECK(contains(f.exchange("frobnicate"), "This is Test Gateway."));
    CHECK(contains(f.exchange("secret"), "This is Test Gateway."));  // admins only
    CHECK(contains(f.exchange("adhoc-only"), "This is Test Gateway."));
  }
}
