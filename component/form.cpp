// Data forms: field type names, builders, parsing of <x xmlns='jabber:x:data'/> and
// serialisation back to it. Submission checks live in form_validation.cpp.
#include "component/form.hpp"
#include "component/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "component/stanza_error.hpp"

namespace legate {
namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 10> kFieldTypes{{
    {FieldType::boolean, "boolean"},
    {FieldType::fixed, "fixed"},
    {FieldType::hidden, "hidden"},
    {FieldType::jid_multi, "jid-multi"},
    {FieldType::jid_single, "jid-single"},
    {FieldType::list_multi, "list-multi"},
    {FieldType::list_single, "list-single"},
    {FieldType::text_multi, "text-multi"},
    {FieldType::text_private, "text-private"},
    {FieldType::text_single, "text-single"},
}};

constexpr std::array<std::string_view, 4> kFormTypes{"cancel", "form", "result", "submit"};

[[noreturn]] void bad(const std::string& text) {
  throw StanzaError(ErrorCondition::bad_request, "data form: " + text);
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

const FormField* find_field(const std::vector<FormField>& list, std::string_view var) {
  for (const auto& f : list)
    if (f.var == var) return &f;
  return nullptr;
}

// Where a field sits, so an error names it even when it has no var: "field 'botname'",
// "<item> 2 field 'url'", "field #3 (label 'Name')".
struct FieldContext {
  std::string where;  // "" for top-level fields, "<reported> " or "<item> N "
  // The type of the matching <reported> column, which item fields leave out.
  const std::vector<FormField>* columns = nullptr;
  // In a form of type 'form' a missing type means text-single (XEP-0004 §3.2); in the other
  // form types the sender may leave types out, so an untyped field's value count is unknown.
  bool untyped_is_text_single = true;
};

std::string field_name(const FieldContext& ctx, const FormField& f, std::size_t index) {
  if (!f.var.empty()) return ctx.where + "field " + quoted(f.var);
  std::string name = ctx.where + "field #" + std::to_string(index + 1);
  if (!f.label.empty()) name += " (label " + quoted(f.label) + ")";
  return name;
}

std::optional<unsigned> parse_dimension(const Element& media, std::string_view attr,
                                        const std::string& name) {
  const auto text = media.attr(attr);
  if (!text) return std::nullopt;
  unsigned value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  // xs:unsignedShort in the XEP-0221 schema.
  if (text->empty() || ec != std::errc() || ptr != end || value > 65535)
    bad(name + ": media " + std::string(attr) + " " + quoted(*text) + " is not a pixel count");
  return value;
}

FormMedia parse_media(const Element& m, const std::string& name) {
  FormMedia media;
  media.width = parse_dimension(m, "width", name);
  media.height = parse_dimension(m, "height", name);
  for (const auto& c : m.children()) {
    if (!c.is("uri", kMediaElementNs)) continue;
    const auto type = c.attr("type");
    if (!type || type->empty()) bad(name + ": media <uri> without a type");
    // Examples pretty-print the URI on its own line; whitespace is never part of a URI.
    media.uris.push_back({std::string(*type), std::string(trim(c.text()))});
  }
  return media;
}

FormOption parse_option(const Element& o, const std::string& name) {
  FormOption option{std::string(o.attr_or("label")), {}};
  int count = 0;
  for (const auto& c : o.children()) {
    if (!c.is("value", Form::kNs)) continue;
    option.value = c.text();
    ++count;
  }
  if (count != 1)
    bad(name + ": <option> " + quoted(option.label) + " must have exactly one <value/>");
  return option;
}

FormField parse_field(const Element& e, const FieldContext& ctx, std::size_t index) {
  FormField f;
  f.var = e.attr_or("var");
  f.label = e.attr_or("label");
  bool typed = false;
  if (const auto type = e.attr("type")) {
    const auto parsed = field_type_from(*type);
    if (!parsed) bad(field_name(ctx, f, index) + " has unknown type " + quoted(*type));
    f.type = *parsed;
    typed = true;
  } else if (const FormField* column = ctx.columns ? find_field(*ctx.columns, f.var) : nullptr) {
    f.type = column->type;
    typed = true;
  }
  const std::string name = field_name(ctx, f, index);
  if (f.var.empty() && f.type != FieldType::fixed) bad(name + " has no var");

  for (const auto& c : e.children()) {
    if (c.is("value", Form::kNs)) {
      f.values.push_back(c.text());
    } else if (c.is("desc", Form::kNs)) {
      f.desc = c.text();
    } else if (c.is("required", Form::kNs)) {
      f.required = true;
    } else if (c.is("option", Form::kNs)) {
      f.options.push_back(parse_option(c, name));
    } else if (c.is("media", kMediaElementNs) && !f.media) {
      f.media = parse_media(c, name);
    }
  }
  if ((typed || ctx.untyped_is_text_single) && !allows_multiple_values(f.type) &&
      f.values.size() > 1) {
    bad(name + " is " + std::string(to_string(f.type)) + " but has " +
        std::to_string(f.values.size()) + " values");
  }
  if (f.type == FieldType::boolean) {
    // An empty <value/> is a boolean left unset, not a malformed one.
    for (const auto& v : f.values)
      if (!v.empty() && !parse_form_bool(v)) bad(name + ": " + quoted(v) + " is not a boolean");
  }
  return f;
}

std::vector<FormField> parse_fields(const Element& parent, const FieldContext& ctx) {
  std::vector<FormField> fields;
  for (const auto& c : parent.children()) {
    if (c.is("field", Form::kNs)) fields.push_back(parse_field(c, ctx, fields.size()));
  }
  // Sorted views find duplicates in n log n: forms come from the network.
  std::vector<std::string_view> vars;
  for (const auto& f : fields)
    if (!f.var.empty()) vars.push_back(f.var);
  std::sort(vars.begin(), vars.end());
  const auto dup = std::adjacent_find(vars.begin(), vars.end());
  if (dup != vars.end()) bad(ctx.where + "field " + quoted(*dup) + " appears more than once");
  return fields;
}

Element field_element(const FormField& f, std::optional<FieldType> implied_type) {
  const std::string ns(Form::kNs);
  Element e("field", ns);
  if (!f.var.empty()) e.set_attr("var", f.var);
  // Item fields take their type from <reported>. A text-single field with several values can
  // only come from an untyped submission; writing the default type would contradict them.
  const bool write_type =
      implied_type != f.type && !(f.type == FieldType::text_single && f.values.size() > 1);
  if (write_type) e.set_attr("type", to_string(f.type));
  if (!f.label.empty()) e.set_attr("label", f.label);
  if (!f.desc.empty()) e.add_child("desc", ns).set_text(f.desc);
  if (f.required) e.add_child("required", ns);
  for (const auto& v : f.values) e.add_child("value", ns).set_text(v);
  for (const auto& o : f.options) {
    Element& option = e.add_child("option", ns);
    if (!o.label.empty()) option.set_attr("label", o.label);
    option.add_child("value", ns).set_text(o.value);
  }
  if (f.media) {
    const std::string media_ns(kMediaElementNs);
    Element& media = e.add_child("media", media_ns);
    if (f.media->height) media.set_attr("height", std::to_string(*f.media->height));
    if (f.media->width) media.set_attr("width", std::to_string(*f.media->width));
    for (const auto& u : f.media->uris)
      media.add_child("uri", media_ns).set_attr("type", u.type).set_text(u.uri);
  }
  return e;
}

}  // namespace

std::string_view to_string(FieldType type) {
  for (const auto& [t, name] : kFieldTypes)
    if (t == type) return name;
  return "text-single";
}

std::optional<FieldType> field_type_from(std::string_view name) {
  for (const auto& [t, n] : kFieldTypes)
    if (n == name) return t;
  return std::nullopt;
}

bool allows_multiple_values(FieldType type) {
  return type == FieldType::list_multi || type == FieldType::jid_multi ||
         type == FieldType::text_multi || type == FieldType::hidden;
}

std::optional<bool> parse_form_bool(std::string_view text) {
  if (text == "1" || text == "true") return true;
  if (text == "0" || text == "false") return false;
  return std::nullopt;
}

namespace {

FormField make(FieldType type, std::string var, std::string label, bool required) {
  FormField f;
  f.var = std::move(var);
  f.type = type;
  f.label = std::move(label);
  f.required = required;
  return f;
}

}  // namespace

FormField FormField::text(std::string var, std::string label, bool required) {
  return make(FieldType::text_single, std::move(var), std::move(label), required);
}

FormField FormField::private_text(std::string var, std::string label, bool required) {
  return make(FieldType::text_private, std::move(var), std::move(label), required);
}

FormField FormField::text_multi(std::string var, std::string label, bool required) {
  return make(FieldType::text_multi, std::move(var), std::move(label), required);
}

FormField FormField::jid(std::string var, std::string label, bool required) {
  return make(FieldType::jid_single, std::move(var), std::move(label), required);
}

FormField FormField::jid_multi(std::string var, std::string label, bool required) {
  return make(FieldType::jid_multi, std::move(var), std::move(label), required);
}

FormField FormField::boolean(std::string var, std::string label, bool value) {
  FormField f = make(FieldType::boolean, std::move(var), std::move(label), false);
  f.values.emplace_back(value ? "1" : "0");
  return f;
}

FormField FormField::list_single(std::string var, std::string label,
                                 std::vector<FormOption> options, bool required) {
  FormField f = make(FieldType::list_single, std::move(var), std::move(label), required);
  f.options = std::move(options);
  return f;
}

FormField FormField::list_multi(std::string var, std::string label, std::vector<FormOption> options,
                                bool required) {
  FormField f = make(FieldType::list_multi, std::move(var), std::move(label), required);
  f.options = std::move(options);
  return f;
}

FormField FormField::fixed(std::string text) {
  FormField f = make(FieldType::fixed, {}, {}, false);
  f.values.push_back(std::move(text));
  return f;
}

FormField FormField::hidden(std::string var, std::string value) {
  FormField f = make(FieldType::hidden, std::move(var), {}, false);
  f.values.push_back(std::move(value));
  return f;
}

Form Form::parse(const Element& x) {
  if (!x.is("x", kNs))
    bad("expected <x xmlns='jabber:x:data'/>, got <" + std::string(x.name()) + ">");
  Form form;
  const auto type = x.attr("type");
  if (!type) bad("<x/> has no type");
  if (std::find(kFormTypes.begin(), kFormTypes.end(), *type) == kFormTypes.end())
    bad("unknown form type " + quoted(*type));
  form.type = *type;

  // <reported> first, wherever it is: item fields take their types from it.
  const Element* reported = nullptr;
  for (const auto& c : x.children()) {
    if (!c.is("reported", kNs)) continue;
    if (reported) bad("more than one <reported>");
    reported = &c;
  }
  if (reported) form.reported = parse_fields(*reported, {"<reported> ", nullptr, true});

  const bool untyped_is_text_single = form.type == "form";
  bool have_title = false;
  for (const auto& c : x.children()) {
    if (c.is("title", kNs) && !have_title) {
      form.title = c.text();
      have_title = true;
    } else if (c.is("instructions", kNs)) {
      form.instructions.push_back(c.text());
    } else if (c.is("item", kNs)) {
      if (!reported) bad("<item> without <reported>");
      const std::string where = "<item> " + std::to_string(form.items.size() + 1) + " ";
      auto row = parse_fields(c, {where, &form.reported, untyped_is_text_single});
      for (const auto& f : row) {
        if (!f.var.empty() && !find_field(form.reported, f.var))
          bad(where + "field " + quoted(f.var) + " is not a <reported> column");
      }
      form.items.push_back(std::move(row));
    }
  }
  form.fields = parse_fields(x, {"", nullptr, untyped_is_text_single});
  return form;
}

Element Form::to_element() const {
  const std::string ns(kNs);
  Element x("x", ns);
  x.set_attr("type", type);
  if (!title.empty()) x.add_child("title", ns).set_text(title);
  for (const auto& i : instructions) x.add_child("instructions", ns).set_text(i);
  for (const auto& f : fields) x.add_child(field_element(f, std::nullopt));
  if (!reported.empty() || !items.empty()) {
    Element& r = x.add_child("reported", ns);
    for (const auto& f : reported) r.add_child(field_element(f, std::nullopt));
  }
  for (const auto& row : items) {
    Element& item = x.add_child("item", ns);
    for (const auto& f : row) {
      const FormField* column = find_field(reported, f.var);
      item.add_child(field_element(f, column ? std::optional(column->type) : std::nullopt));
    }
  }
  return x;
}

const FormField* Form::field(std::string_view var) const {
  return find_field(fields, var);
}

FormField* Form::field(std::string_view var) {
  return const_cast<FormField*>(std::as_const(*this).field(var));
}

std::string_view Form::value(std::string_view var) const {
  const FormField* f = field(var);
  return f ? f->value() : std::string_view();
}

Form Form::submission() const {
  Form answer;
  answer.type = "submit";
  for (const auto& f : fields) {
    if (f.type == FieldType::fixed || f.var.empty()) continue;
    FormField a;
    a.var = f.var;
    a.type = f.type;
    a.values = f.values;
    answer.fields.push_back(std::move(a));
  }
  return answer;
}

void Form::set_value(std::string_view var, std::string value) {
  std::vector<std::string> values;
  values.push_back(std::move(value));
  set_values(var, std::move(values));
}

void Form::set_values(std::string_view var, std::vector<std::string> values) {
  FormField* f = field(var);
  if (!f) {
    fields.push_back(FormField{});
    f = &fields.back();
    f->var = var;
  }
  f->values = std::move(values);
}

}  // namespace legate
