// MamQuery: reading XEP-0313 queries and XEP-0059 sets, building the answer's pieces.
#include "component/mam_query.hpp"

#include <charconv>
#include <chrono>

#include "component/form.hpp"
#include "component/stanza.hpp"
#include "component/stanza_error.hpp"

namespace legate {
namespace {

[[noreturn]] void bad(std::string what) {
  throw StanzaError(ErrorCondition::bad_request, std::move(what));
}

// Reads `n` digits at `pos` of `text` into `out`; false if they are not all digits.
bool digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + n, out);
  return ec == std::errc() && end == text.data() + pos + n;
}

std::int64_t required_time(const Form& form, std::string_view var) {
  auto ms = parse_datetime_ms(form.value(var));
  if (!ms) bad("bad date-time in '" + std::string(var) + "'");
  return *ms;
}

void read_form(const Element& x, MamQuery& q) {
  const Form form = Form::parse(x);
  if (form.type != "submit") bad("the query form must be of type submit");
  for (const FormField& field : form.fields) {
    const std::string_view var = field.var;
    if (var == "FORM_TYPE") {
      if (field.value() != kMamNs) bad("FORM_TYPE must be " + std::string(kMamNs));
    } else if (var == "start") {
      q.start_ms = required_time(form, var);
    } else if (var == "end") {
      q.end_ms = required_time(form, var);
    } else if (var == "with") {
      q.with = std::string(field.value());
    } else if (var == "before-id") {
      q.before_id = std::string(field.value());
    } else if (var == "after-id") {
      q.after_id = std::string(field.value());
    } else if (var == "ids") {
      q.ids = field.values;
    } else {  // XEP-0313 §4.1.4: an unknown field is not ignored
      throw StanzaError(ErrorCondition::feature_not_implemented,
                        "unknown field '" + std::string(var) + "'");
    }
  }
}

void read_set(const Element& set, MamQuery& q) {
  if (const Element* max = set.child("max", kRsmNs)) {
    const std::string text = max->text();
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) bad("bad <max/>");
    q.max = std::min(value, MamQuery::kMaxPage);
  }
  if (const Element* after = set.child("after", kRsmNs)) {
    if (after->text().empty()) bad("an empty <after/>");
    q.rsm_after = after->text();
  }
  if (const Element* before = set.child("before", kRsmNs)) q.rsm_before = before->text();
  if (q.rsm_after && q.rsm_before) bad("<after/> and <before/> together");
}

}  // namespace

std::optional<std::int64_t> parse_datetime_ms(std::string_view t) {
  // CCYY-MM-DDThh:mm:ss[.sss][Z|(+|-)hh:mm]
  int year, month, day, hour, minute, second;
  if (t.size() < 20 || !digits(t, 0, 4, year) || t[4] != '-' || !digits(t, 5, 2, month) ||
      t[7] != '-' || !digits(t, 8, 2, day) || t[10] != 'T' || !digits(t, 11, 2, hour) ||
      t[13] != ':' || !digits(t, 14, 2, minute) || t[16] != ':' || !digits(t, 17, 2, second))
    return std::nullopt;
  std::size_t pos = 19;
  int millis = 0;
  if (t[pos] == '.') {
    std::size_t n = 0;
    for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos, ++n)
      if (n < 3) millis = millis * 10 + (t[pos] - '0');
    if (n == 0) return std::nullopt;
    for (; n < 3; ++n) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < t.size() && t[pos] == 'Z' && pos + 1 == t.size()) {
  } else if (pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') && t[pos + 3] == ':') {
    int oh, om;
    if (!digits(t, pos + 1, 2, oh) || !digits(t, pos + 4, 2, om)) return std::nullopt;
    offset_minutes = (t[pos] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto days = std::chrono::sys_days(date).time_since_epoch();
  const std::int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(days).count() +
                               hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

MamQuery parse_mam_query(const Element& query) {
  MamQuery q;
  q.query_id = std::string(query.attr_or("queryid"));
  if (const Element* x = query.child("x", Form::kNs)) read_form(*x, q);
  if (const Element* set = query.child("set", kRsmNs)) read_set(*set, q);
  q.flip_page = query.child("flip-page", kMamNs) != nullptr;
  if (q.start_ms && q.end_ms && *q.start_ms > *q.end_ms) bad("start is after end");
  return q;
}

Element mam_query_form() {
  Form form;
  form.type = "form";
  form.fields = {FormField::hidden("FORM_TYPE", std::string(kMamNs)),
                 FormField::jid("with", "Sent by (occupant JID)"),
                 FormField::text("start", "Not before (XEP-0082)"),
                 FormField::text("end", "Not after (XEP-0082)"),
                 FormField::text("before-id", "Before this stanza-id"),
                 FormField::text("after-id", "After this stanza-id"),
                 FormField::list_multi("ids", "Exactly these stanza-ids", {})};
  Element x = form.to_element();
  // §4.1.5: ids is an open list (XEP-0122), any stanza-id may be given.
  for (Element& field : x.children())
    if (field.attr_or("var") == "ids")
      field.add_child("validate", "http://jabber.org/protocol/xdata-validate")
          .set_attr("datatype", "xs:string")
          .add_child("open", "http://jabber.org/protocol/xdata-validate");
  Element query("query", std::string(kMamNs));
  query.add_child(std::move(x));
  return query;
}

Element mam_fin(const MamPage& page) {
  Element fin("fin", std::string(kMamNs));
  if (page.complete) fin.set_attr("complete", "true");
  if (!page.stable) fin.set_attr("stable", "false");
  Element& set = fin.add_child("set", std::string(kRsmNs));
  if (!page.first.empty()) {
    set.add_child("first", std::string(kRsmNs)).set_text(page.first);
    set.add_child("last", std::string(kRsmNs)).set_text(page.last);
  }
  set.add_child("count", std::string(kRsmNs)).set_text(std::to_string(page.count));
  return fin;
}

}  // namespace legate
