// Stanza-level tests of XEP-0050 refusals: unknown and foreign session ids, missing or
// invalid forms, and errors thrown by commands, each answered once with the right error.
#include <doctest/doctest.h>

#include "tests/stanza/adhoc_fixture.hpp"

using namespace legate;
using namespace legate::test;
using namespace legate::test::adhoc;

TEST_CASE("adhoc: unknown and foreign session ids") {
  Fixture f;
  const std::string name = "<field var='name'><value>Ann</value></field>";
  CHECK(is_command_error(f.submit(kBob, "x1", "survey", "no-such-session", name),
                         ErrorCondition::bad_request, "bad-sessionid"));
  const std::string sid = sid_of(f.execute(kBob, "x2", "survey"));
  CHECK(is_command_error(f.submit(kAlice, "x3", "survey", sid, name), ErrorCondition::bad_request,
                         "bad-sessionid"));
  CHECK(is_command_error(f.submit("bob@test/laptop", "x4", "survey", sid, name),
                         ErrorCondition::bad_request, "bad-sessionid"));
  CHECK(is_command_error(f.submit(kBob, "x5", "wipe", sid, name), ErrorCondition::bad_request,
                         "bad-sessionid"));
  // None of that disturbed the owner's session.
  CHECK(status_of(f.submit(kBob, "x6", "survey", sid, name)) == "executing");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: missing or invalid forms") {
  Fixture f;
  const std::string sid = sid_of(f.execute(kBob, "f1", "survey"));
  CHECK(is_command_error(
      f.command(kBob, "f2", "node='survey' action='complete' sessionid='" + sid + "'"),
      ErrorCondition::bad_request, "bad-payload"));
  CHECK(is_command_error(f.submit(kBob, "f3", "survey", sid, "<item><field var='a'/></item>"),
                         ErrorCondition::bad_request, "bad-payload"));
  Element missing = f.submit(kBob, "f4", "survey", sid, "");
  CHECK(refused(missing, ErrorCondition::not_acceptable));
  CHECK(StanzaError::from_stanza(missing).text().find("name") != std::string::npos);
  CHECK(status_of(f.submit(kBob, "f5", "survey", sid,
                           "<field var='name'><value>Ann</value></field>")) == "executing");
  Element bad_option =
      f.submit(kBob, "f6", "survey", sid, "<field var='color'><value>green</value></field>");
  CHECK(refused(bad_option, ErrorCondition::not_acceptable));
  CHECK(StanzaError::from_stanza(bad_option).text().find("color") != std::string::npos);
  CHECK(note_of(f.submit(kBob, "f7", "survey", sid,
                         "<field var='color'><value>red</value></field>"
                         "<field var='loud'><value>0</value></field>")) == "Ann likes red.");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: errors thrown by commands") {
  Fixture f;
  Element refusal = f.execute(kBob, "r1", "refuse");
  CHECK(refused(refusal, ErrorCondition::not_allowed));
  CHECK(StanzaError::from_stanza(refusal).text() == "not today");
  CHECK(refused(f.execute(kBob, "r2", "crash"), ErrorCondition::internal_server_error));
  // A continuation's refusal keeps the step open (e.g. a wrong two-factor code may be
  // corrected in the same session); a cancel then ends it.
  const std::string sid = sid_of(f.execute(kBob, "r3", "taken"));
  const std::string name = "<field var='name'><value>Ann</value></field>";
  CHECK(refused(f.submit(kBob, "r4", "taken", sid, name), ErrorCondition::conflict));
  CHECK(refused(f.submit(kBob, "r5", "taken", sid, name), ErrorCondition::conflict));
  const Element canceled =
      f.command(kBob, "r6", "node='taken' action='cancel' sessionid='" + sid + "'", "");
  CHECK(canceled.child("command", kCommandsNs)->attr_or("status") == "canceled");
  CHECK(is_command_error(f.submit(kBob, "r7", "taken", sid, name), ErrorCondition::bad_request,
                         "bad-sessionid"));
  f.expect_no_more_replies();
}
