// legate-irc's IRC line handling: parsing what servers send (prefix, numerics, trailing
// parameters, tags), formatting what the bridge sends (no command injection, 512 bytes),
// splitting texts for IRC's line limit, formatting codes and CTCP.
#include <doctest/doctest.h>

#include "examples/irc/irc_line.hpp"
#include "examples/irc/irc_text.hpp"

using namespace irc;

TEST_CASE("irc: lines parse into prefix, command and parameters") {
  auto line = parse_irc_line(":alice!~a@host PRIVMSG #chan :hello there\r\n");
  REQUIRE(line);
  CHECK(line->prefix == "alice!~a@host");
  CHECK(line->nick() == "alice");
  CHECK(line->command == "PRIVMSG");
  REQUIRE(line->params.size() == 2);
  CHECK(line->param(0) == "#chan");
  CHECK(line->param(1) == "hello there");
  CHECK(line->param(5).empty());

  auto names = parse_irc_line(":irc.test 353 me = #chan :@alice +bob carol");
  REQUIRE(names);
  CHECK(names->command == "353");
  CHECK(names->params == std::vector<std::string>{"me", "=", "#chan", "@alice +bob carol"});
  auto ping = parse_irc_line("ping :token");
  REQUIRE(ping);
  CHECK(ping->command == "PING");  // commands are case-insensitive
  CHECK(ping->prefix.empty());
  auto tagged = parse_irc_line("@time=2026-12-04T10:00:00Z :a!b@c JOIN #x");
  REQUIRE(tagged);
  CHECK(tagged->command == "JOIN");
  CHECK(tagged->param(0) == "#x");
  CHECK(parse_irc_line(":a b :c  d ")->param(0) == "c  d ");  // the trailing one as it is
  CHECK_FALSE(parse_irc_line(""));
  CHECK_FALSE(parse_irc_line(":prefix-only"));
  CHECK_FALSE(parse_irc_line("\r\n"));
  CHECK_FALSE(parse_irc_line(":alice :hi there"));  // a command is letters or 3 digits
  CHECK_FALSE(parse_irc_line(":s 01 x"));
  CHECK_FALSE(parse_irc_line("PRIV\x01MSG #c :x"));
  CHECK(parse_irc_line(":s 005 me :x"));
}

TEST_CASE("irc: commands are formatted without injection and within 512 bytes") {
  CHECK(irc_command("PRIVMSG", {"#chan"}, "hi") == "PRIVMSG #chan :hi\r\n");
  CHECK(irc_command("NICK", {"alice"}) == "NICK alice\r\n");
  CHECK(irc_command("PRIVMSG", {"#chan"}, "") == "PRIVMSG #chan :\r\n");
  // A user's text cannot end the line and start a second command.
  CHECK(irc_command("PRIVMSG", {"#chan"}, "hi\r\nQUIT :bye") == "PRIVMSG #chan :hi  QUIT :bye\r\n");
  CHECK(irc_command("JOIN", {"#a b"}) == "JOIN #a_b\r\n");
  const std::string long_line = irc_command("PRIVMSG", {"#c"}, std::string(600, 'x'));
  CHECK(long_line.size() == 512);
  CHECK(long_line.ends_with("\r\n"));
  // Cut on a character boundary: é is two bytes.
  std::string accents;
  for (int i = 0; i < 300; ++i) accents += "é";
  const std::string cut = irc_command("PRIVMSG", {"#c"}, accents);
  CHECK(cut.size() <= 512);
  const std::string body = cut.substr(12, cut.size() - 14);  // after "PRIVMSG #c :"
  CHECK(body.size() % 2 == 0);
}

TEST_CASE("irc: texts are split into lines that fit") {
  CHECK(split_irc_text("one\ntwo\r\n\nthree", 100) ==
        std::vector<std::string>{"one", "two", "three"});
  CHECK(split_irc_text("", 100).empty());
  const auto words = split_irc_text("aaaa bbbb cccc dddd", 10);
  CHECK(words == std::vector<std::string>{"aaaa bbbb", "cccc dddd"});
  const auto solid = split_irc_text(std::string(25, 'z'), 10);
  CHECK(solid ==
        std::vector<std::string>{std::string(10, 'z'), std::string(10, 'z'), std::string(5, 'z')});
  std::string text;
  for (int i = 0; i < 400; ++i) text += "ü";  // 800 bytes, no spaces
  std::string joined;
  for (const auto& piece : split_irc_text(text, 301)) {
    CHECK(piece.size() <= 301);
    CHECK((static_cast<unsigned char>(piece.front()) & 0xC0) != 0x80);  // whole characters
    joined += piece;
  }
  CHECK(joined == text);
  const std::size_t budget = irc_text_budget("alice", "#chan");
  CHECK(budget > 300);
  CHECK(budget < 512 - 60);
}

TEST_CASE("irc: formatting codes go, CTCP is recognised") {
  CHECK(plain_irc_text("\x02"
                       "bold\x02 \x1ditalic\x1d \x03"
                       "04,12red\x03 \x0f"
                       "plain \x03"
                       "5x \x04"
                       "ff00ffhex") == "bold italic red plain x hex");
  CHECK(plain_irc_text("a\x03,b") == "a,b");  // a comma without a colour stays
  CHECK(plain_irc_text("tab\there") == "tab\there");
  CHECK(plain_irc_text("caf\xe9") == "caf\xEF\xBF\xBD");  // Latin-1: not UTF-8
  CHECK(plain_irc_text("日本") == "日本");
  auto action = parse_ctcp(
      "\x01"
      "ACTION waves\x01");
  REQUIRE(action);
  CHECK(action->command == "ACTION");
  CHECK(action->argument == "waves");
  auto version = parse_ctcp("\x01version");
  REQUIRE(version);
  CHECK(version->command == "VERSION");
  CHECK(version->argument.empty());
  CHECK_FALSE(parse_ctcp("plain"));
  CHECK_FALSE(parse_ctcp("\x01\x01"));
  CHECK(ctcp("ACTION", "waves") ==
        "\x01"
        "ACTION waves\x01");
}

TEST_CASE("irc: the channel a line is about") {
  auto about = [](std::string_view raw) {
    auto line = parse_irc_line(raw);
    REQUIRE(line);
    return std::string(channel_of(*line));
  };
  CHECK(about(":a!u@h PRIVMSG #x :hi") == "#x");
  CHECK(about(":a!u@h NOTICE bob :hi") == "bob");
  CHECK(about(":a!u@h TOPIC #x :new") == "#x");
  CHECK(about(":a!u@h PART #x :bye") == "#x");
  CHECK(about(":a!u@h KICK #x bob :out") == "#x");
  CHECK(about(":a!u@h JOIN #x") == "#x");
  CHECK(about(":s 332 me #x :topic") == "#x");
  CHECK(about(":a!u@h QUIT :gone").empty());
  CHECK(about(":s 001 me :welcome").empty());
  CHECK(about("PRIVMSG").empty());  // no target
}

TEST_CASE("irc: only usable nicks become occupants") {
  CHECK(usable_nick("alice"));
  CHECK(usable_nick("[away]_bob-2"));
  CHECK(usable_nick("Jürgen"));
  CHECK_FALSE(usable_nick(""));
  CHECK_FALSE(usable_nick("a b"));
  CHECK_FALSE(usable_nick("bell\x07"));
  CHECK_FALSE(usable_nick("x@y"));
  CHECK_FALSE(usable_nick("nick!user"));
  CHECK_FALSE(usable_nick(std::string(65, 'n')));
  CHECK_FALSE(usable_nick("caf\xe9"));  // Latin-1, not UTF-8
  CHECK_FALSE(usable_nick("cut\xc3"));  // a sequence cut short
}
