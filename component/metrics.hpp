// Metrics: a small registry of counters, gauges and histograms, rendered in the Prometheus
// text exposition format (0.0.4). Meant for the single io thread: plain integers and
// doubles, no locks, so incrementing on the hot path costs an add. A Component owns one
// (component.metrics()) with the standard set below; code may register more.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stanza.hpp"

namespace legate {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_ += n; }
  std::uint64_t value() const { return value_; }

 private:
  std::uint64_t value_ = 0;
};

class Gauge {
 public:
  void set(double value) { value_ = value; }
  void add(double delta) { value_ += delta; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Histogram {
 public:
  // `bounds`: the upper bounds of the buckets, ascending (+Inf is implicit).
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket (not cumulative); one more than bounds() for +Inf.
  const std::vector<std::uint64_t>& bucket_counts() const { return counts_; }
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

// Label name/value pairs, in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Runs before each exposition (e.g. to set gauges that are cheaper to count on demand).
  // Destroying the returned handle removes the hook; it may outlive the registry.
  class Hook {
   public:
    Hook() = default;
    Hook(Hook&&) noexcept = default;
    Hook& operator=(Hook&& other) noexcept;
    ~Hook();

   private:
    friend class Metrics;
    using Hooks = std::map<std::uint64_t, std::function<void()>>;
    Hook(std::weak_ptr<Hooks> hooks, std::uint64_t id) : hooks_(std::move(hooks)), id_(id) {}
    void reset();
    std::weak_ptr<Hooks> hooks_;
    std::uint64_t id_ = 0;
  };

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers (or finds) one series; references stay valid for the registry's lifetime.
  // Names and label names must match [a-zA-Z_:][a-zA-Z0-9_:]*; a name keeps the type and
  // help it was first registered with (std::invalid_argument otherwise).
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                       const Labels& labels = {});

  [[nodiscard]] Hook on_collect(std::function<void()> hook);

  // The whole registry as Prometheus text (runs the collect hooks first).
  std::string exposition();

  // --- the standard metrics ---
  Counter& stanzas_in(StanzaKind kind) { return *stanzas_in_[index(kind)]; }
  Counter& stanzas_out(StanzaKind kind) { return *stanzas_out_[index(kind)]; }
  Counter& iq_errors_sent() { return *iq_errors_sent_; }
  Counter& reconnects() { return *reconnects_; }
  Gauge& component_up() { return *component_up_; }
  Gauge& sessions_logged_in() { return *sessions_logged_in_; }
  Gauge& sessions_failing() { return *sessions_failing_; }
  Gauge& registered_users() { return *registered_users_; }
  Histogram& message_latency() { return *message_latency_; }

  // Bucket bounds of message_latency(), in seconds.
  static const std::vector<double>& latency_buckets();

 private:
  enum class Type { counter, gauge, histogram };
  struct Series;
  struct Family;
  static std::size_t index(StanzaKind kind) { return static_cast<std::size_t>(kind); }
  Series& series(std::string_view name, std::string_view help, Type type, const Labels& labels,
                 const std::vector<double>* bounds);

  std::vector<std::unique_ptr<Family>> families_;  // in registration order
  std::shared_ptr<Hook::Hooks> hooks_;
  std::uint64_t next_hook_ = 0;

  std::array<Counter*, 4> stanzas_in_{};
  std::array<Counter*, 4> stanzas_out_{};
  Counter* iq_errors_sent_ = nullptr;
  Counter* reconnects_ = nullptr;
  Gauge* component_up_ = nullptr;
  Gauge* sessions_logged_in_ = nullptr;
  Gauge* sessions_failing_ = nullptr;
  Gauge* registered_users_ = nullptr;
  Histogram* message_latency_ = nullptr;
};

}  // namespace legate
