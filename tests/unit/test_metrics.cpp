// Metrics: counters, gauges and histograms in the Prometheus text exposition format
// (HELP/TYPE lines, labels and their escaping, cumulative buckets), the standard series,
// collect hooks, and refused registrations.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "component/metrics.hpp"

using legate::Metrics;
using legate::StanzaKind;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("metrics: counter and gauge lines with HELP and TYPE") {
  Metrics m;
  m.counter("test_events_total", "Events seen").inc(3);
  m.gauge("test_level", "A level").set(2.5);
  const std::string text = m.exposition();
  CHECK(has_line(text, "# HELP test_events_total Events seen"));
  CHECK(has_line(text, "# TYPE test_events_total counter"));
  CHECK(has_line(text, "test_events_total 3"));
  CHECK(has_line(text, "# TYPE test_level gauge"));
  CHECK(has_line(text, "test_level 2.5"));
  CHECK(text.back() == '\n');
  // HELP and TYPE come once per family, before its samples.
  CHECK(text.find("# HELP test_events_total") < text.find("\ntest_events_total 3"));
}

TEST_CASE("metrics: labelled series share one family; same labels, same series") {
  Metrics m;
  auto& a = m.counter("test_hits_total", "Hits", {{"path", "/a"}, {"code", "200"}});
  auto& b = m.counter("test_hits_total", "Hits", {{"path", "/b"}, {"code", "404"}});
  CHECK(&a != &b);
  CHECK(&m.counter("test_hits_total", "Hits", {{"path", "/a"}, {"code", "200"}}) == &a);
  a.inc();
  b.inc(2);
  const std::string text = m.exposition();
  CHECK(has_line(text, "test_hits_total{path=\"/a\",code=\"200\"} 1"));
  CHECK(has_line(text, "test_hits_total{path=\"/b\",code=\"404\"} 2"));
  std::size_t types = 0;
  for (auto at = text.find("# TYPE test_hits_total"); at != std::string::npos;
       at = text.find("# TYPE test_hits_total", at + 1))
    ++types;
  CHECK(types == 1);
}

TEST_CASE("metrics: label values and help text are escaped") {
  Metrics m;
  m.gauge("test_escaped", "back\\slash and\nnewline", {{"v", "a\"b\\c\nd"}}).set(1);
  const std::string text = m.exposition();
  CHECK(has_line(text, "# HELP test_escaped back\\\\slash and\\nnewline"));
  CHECK(has_line(text, "test_escaped{v=\"a\\\"b\\\\c\\nd\"} 1"));
}

TEST_CASE("metrics: histogram buckets are cumulative, with +Inf, sum and count") {
  Metrics m;
  auto& h = m.histogram("test_seconds", "Durations", {0.1, 1, 5}, {{"op", "x"}});
  h.observe(0.05);
  h.observe(0.1);  // le: on the bound counts in that bucket
  h.observe(0.5);
  h.observe(7);
  CHECK(h.count() == 4);
  const std::string text = m.exposition();
  CHECK(has_line(text, "# TYPE test_seconds histogram"));
  CHECK(has_line(text, "test_seconds_bucket{op=\"x\",le=\"0.1\"} 2"));
  CHECK(has_line(text, "test_seconds_bucket{op=\"x\",le=\"1\"} 3"));
  CHECK(has_line(text, "test_seconds_bucket{op=\"x\",le=\"5\"} 3"));
  CHECK(has_line(text, "test_seconds_bucket{op=\"x\",le=\"+Inf\"} 4"));
  CHECK(has_line(text, "test_seconds_sum{op=\"x\"} 7.65"));
  CHECK(has_line(text, "test_seconds_count{op=\"x\"} 4"));
}

TEST_CASE("metrics: the standard series are present from the start") {
  Metrics m;
  m.stanzas_in(StanzaKind::message).inc();
  m.stanzas_out(StanzaKind::iq).inc(2);
  m.iq_errors_sent().inc();
  m.reconnects().inc();
  m.sessions_logged_in().set(3);
  m.message_latency().observe(0.002);
  const std::string text = m.exposition();
  CHECK(has_line(text, "legate_stanzas_received_total{kind=\"message\"} 1"));
  CHECK(has_line(text, "legate_stanzas_received_total{kind=\"presence\"} 0"));
  CHECK(has_line(text, "legate_stanzas_received_total{kind=\"other\"} 0"));
  CHECK(has_line(text, "legate_stanzas_sent_total{kind=\"iq\"} 2"));
  CHECK(has_line(text, "legate_iq_errors_sent_total 1"));
  CHECK(has_line(text, "legate_reconnects_total 1"));
  CHECK(has_line(text, "legate_component_up 0"));
  CHECK(has_line(text, "legate_sessions_logged_in 3"));
  CHECK(has_line(text, "legate_sessions_failing 0"));
  CHECK(has_line(text, "legate_registered_users 0"));
  CHECK(has_line(text, "legate_message_latency_seconds_bucket{le=\"0.0005\"} 0"));
  CHECK(has_line(text, "legate_message_latency_seconds_bucket{le=\"0.0025\"} 1"));
  CHECK(has_line(text, "legate_message_latency_seconds_bucket{le=\"5\"} 1"));
  CHECK(has_line(text, "legate_message_latency_seconds_bucket{le=\"+Inf\"} 1"));
  CHECK(has_line(text, "legate_message_latency_seconds_count 1"));
  CHECK(Metrics::latency_buckets().front() == 0.0005);
  CHECK(Metrics::latency_buckets().back() == 5);
}

TEST_CASE("metrics: collect hooks run before each exposition until their handle goes") {
  Metrics m;
  int runs = 0;
  {
    Metrics::Hook hook = m.on_collect([&] {
      ++runs;
      m.registered_users().set(runs * 10);
    });
    CHECK(has_line(m.exposition(), "legate_registered_users 10"));
    Metrics::Hook moved = std::move(hook);
    CHECK(has_line(m.exposition(), "legate_registered_users 20"));
  }
  m.exposition();
  CHECK(runs == 2);
  // A handle that outlives its registry is harmless.
  Metrics::Hook late;
  {
    Metrics gone;
    late = gone.on_collect([] {});
  }
}

TEST_CASE("metrics: bad names, label names, type clashes and bounds are refused") {
  Metrics m;
  CHECK_THROWS_AS(m.counter("", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("9lives", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("has-dash", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("ok_name", "x", {{"le", "1"}}), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("ok_name", "x", {{"__reserved", "1"}}), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("ok_name", "x", {{"bad label", "1"}}), std::invalid_argument);
  m.counter("ok_name", "x");
  CHECK_THROWS_AS(m.gauge("ok_name", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("test_h", "x", {1, 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("test_h", "x", {1, 1}), std::invalid_argument);
}
