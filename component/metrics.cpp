// Metrics: the registry, the standard series, and the Prometheus text exposition.
#include "component/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <variant>

namespace legate {

struct Metrics::Series {
  Labels labels;
  std::variant<Counter, Gauge, Histogram> metric;
};

struct Metrics::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<std::unique_ptr<Series>> series;
};

namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string_view type_name(int type) {
  static constexpr std::string_view names[] = {"counter", "gauge", "histogram"};
  return names[type];
}

// HELP text: backslash and newline escaped. Label values: also the double quote.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    // Plain decimals where they stay short (bucket bounds read "0.0005", not "5e-04").
    char buffer[64];
    const double magnitude = std::fabs(value);
    auto [end, ec] =
        magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15)
            ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
            : std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, ec == std::errc() ? end : buffer);
  }
}

void append_number(std::string& out, std::uint64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// `name{a="x",b="y"} ` with an optional extra label (a histogram's le).
void append_series_name(std::string& out, std::string_view name, std::string_view suffix,
                        const Labels& labels, std::string_view le = {}) {
  out += name;
  out += suffix;
  if (!labels.empty() || !le.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : labels) {
      if (!first) out += ',';
      first = false;
      out += key;
      out += "=\"";
      append_escaped(out, value, true);
      out += '"';
    }
    if (!le.empty()) {
      if (!first) out += ',';
      out += "le=\"";
      out += le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void append_histogram(std::string& out, std::string_view name, const Labels& labels,
                      const Histogram& h) {
  std::uint64_t cumulative = 0;
  const auto& counts = h.bucket_counts();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le;
    if (i < h.bounds().size())
      append_number(le, h.bounds()[i]);
    else
      le = "+Inf";
    append_series_name(out, name, "_bucket", labels, le);
    append_number(out, cumulative);
    out += '\n';
  }
  append_series_name(out, name, "_sum", labels);
  append_number(out, h.sum());
  out += '\n';
  append_series_name(out, name, "_count", labels);
  append_number(out, h.count());
  out += '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end())
    throw std::invalid_argument("histogram bounds must be strictly ascending");
}

void Histogram::observe(double value) {
  // The first bucket whose upper bound is >= value (le: less than or equal).
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += value;
}

Metrics::Hook& Metrics::Hook::operator=(Hook&& other) noexcept {
  if (this != &other) {
    reset();
    hooks_ = std::move(other.hooks_);
    id_ = other.id_;
    other.hooks_.reset();
  }
  return *this;
}

Metrics::Hook::~Hook() {
  reset();
}

void Metrics::Hook::reset() {
  if (auto hooks = hooks_.lock()) hooks->erase(id_);
  hooks_.reset();
}

const std::vector<double>& Metrics::latency_buckets() {
  static const std::vector<double> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5};
  return buckets;
}

Metrics::Metrics() : hooks_(std::make_shared<Hook::Hooks>()) {
  static constexpr std::string_view kinds[] = {"message", "presence", "iq", "other"};
  for (std::size_t i = 0; i < 4; ++i) {
    stanzas_in_[i] =
        &counter("legate_stanzas_received_total", "Stanzas received from the XMPP server, by kind",
                 {{"kind", std::string(kinds[i])}});
  }
  for (std::size_t i = 0; i < 4; ++i) {
    stanzas_out_[i] =
        &counter("legate_stanzas_sent_total", "Stanzas queued for the XMPP server, by kind",
                 {{"kind", std::string(kinds[i])}});
  }
  iq_errors_sent_ = &counter("legate_iq_errors_sent_total", "IQ error replies sent");
  reconnects_ = &counter("legate_reconnects_total",
                         "Component stream handshakes after the first one (reconnects)");
  component_up_ = &gauge("legate_component_up", "1 while the component stream is up, else 0");
  sessions_logged_in_ = &gauge("legate_sessions_logged_in", "Legacy sessions currently logged in");
  sessions_failing_ = &gauge("legate_sessions_failing",
                             "Legacy sessions whose last login failed (retrying with backoff)");
  registered_users_ = &gauge("legate_registered_users", "Users registered with the gateway");
  message_latency_ = &histogram(
      "legate_message_latency_seconds",
      "Time from a user's message arriving to the bridge accepting it (on_text returned)",
      latency_buckets());
}

Metrics::~Metrics() = default;

Metrics::Series& Metrics::series(std::string_view name, std::string_view help, Type type,
                                 const Labels& labels, const std::vector<double>* bounds) {
  if (!valid_name(name)) throw std::invalid_argument("bad metric name: " + std::string(name));
  for (const auto& [key, value] : labels) {
    if (!valid_name(key) || key.starts_with("__") || key == "le")
      throw std::invalid_argument("bad label name for " + std::string(name) + ": " + key);
  }
  auto fit = std::find_if(families_.begin(), families_.end(),
                          [&](const auto& f) { return f->name == name; });
  if (fit == families_.end()) {
    families_.push_back(
        std::make_unique<Family>(Family{std::string(name), std::string(help), type, {}}));
    fit = families_.end() - 1;
  } else if ((*fit)->type != type) {
    throw std::invalid_argument("metric " + std::string(name) + " registered as another type");
  }
  Family& family = **fit;
  for (auto& s : family.series)
    if (s->labels == labels) return *s;
  auto made = std::make_unique<Series>();
  made->labels = labels;
  if (type == Type::counter)
    made->metric.emplace<Counter>();
  else if (type == Type::gauge)
    made->metric.emplace<Gauge>();
  else
    made->metric.emplace<Histogram>(*bounds);
  family.series.push_back(std::move(made));
  return *family.series.back();
}

Counter& Metrics::counter(std::string_view name, std::string_view help, const Labels& labels) {
  return std::get<Counter>(series(name, help, Type::counter, labels, nullptr).metric);
}

Gauge& Metrics::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  return std::get<Gauge>(series(name, help, Type::gauge, labels, nullptr).metric);
}

Histogram& Metrics::histogram(std::string_view name, std::string_view help,
                              std::vector<double> bounds, const Labels& labels) {
  return std::get<Histogram>(series(name, help, Type::histogram, labels, &bounds).metric);
}

Metrics::Hook Metrics::on_collect(std::function<void()> hook) {
  const std::uint64_t id = ++next_hook_;
  (*hooks_)[id] = std::move(hook);
  return Hook(hooks_, id);
}

std::string Metrics::exposition() {
  // A copy: a hook may remove itself (or another) while running.
  const auto hooks = *hooks_;
  for (const auto& [id, hook] : hooks) hook();
  std::string out;
  out.reserve(4096);
  for (const auto& family : families_) {
    out += "# HELP ";
    out += family->name;
    out += ' ';
    append_escaped(out, family->help, false);
    out += "\n# TYPE ";
    out += family->name;
    out += ' ';
    out += type_name(static_cast<int>(family->type));
    out += '\n';
    for (const auto& s : family->series) {
      if (const auto* c = std::get_if<Counter>(&s->metric)) {
        append_series_name(out, family->name, "", s->labels);
        append_number(out, c->value());
      } else if (const auto* g = std::get_if<Gauge>(&s->metric)) {
        append_series_name(out, family->name, "", s->labels);
        append_number(out, g->value());
      } else {
        append_histogram(out, family->name, s->labels, std::get<Histogram>(s->metric));
        continue;
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace legate
