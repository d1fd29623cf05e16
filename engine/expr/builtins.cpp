// The built-in functions of the expression language (signatures in functions.h, static
// checks in checker.cpp). Each evaluates its own arguments, so has() can inspect its
// path instead of evaluating it.
#include <algorithm>

#include "engine/common/utf8.h"
#include "engine/expr/checker.h"
#include "engine/expr/evaluator.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::expr {
namespace {

std::string arg_role(const Node& call, std::uint32_t k) {
  return call.count == 1 ? "argument" : "argument " + std::to_string(k + 1);
}

// Evaluates argument k and requires one of `kinds`.
bool arg(Evaluator& ev, const Node& n, std::uint32_t k, std::initializer_list<Kind> kinds,
         Val* out) {
  if (!ev.eval_child(n, k, out)) return false;
  if (std::find(kinds.begin(), kinds.end(), out->kind) != kinds.end()) return true;
  std::uint16_t mask = 0;
  for (Kind kind : kinds) mask |= type_bit(static_cast<Type>(static_cast<int>(kind) + 1));
  const FunctionInfo& info = function_info(static_cast<Fn>(n.payload));
  return ev.fail(
      n, std::string(info.name) + "() expects " + describe_types(mask) + " as " + arg_role(n, k),
      " (" + ev.is(arg_role(n, k), ev.child(n, k), *out) + ")");
}

bool fn_size(Evaluator& ev, const Node& n, Val* out) {
  Val v;
  if (!arg(ev, n, 0, {Kind::string, Kind::list, Kind::map}, &v)) return false;
  const std::size_t size = v.kind == Kind::string ? utf8::count_code_points(v.sv())
                           : v.kind == Kind::list ? list_size(v)
                                                  : map_size(v);
  out->set_number(Decimal::from_uint64(size));
  return true;
}

bool fn_has(Evaluator& ev, const Node& n, Val* out) {
  Val ignored;
  bool present = false;
  if (!ev.resolve(ev.child(n, 0), true, &ignored, &present)) return false;
  out->set_boolean(present);
  return true;
}

bool fn_matches(Evaluator& ev, const Node& n, Val* out) {
  Val subject;
  if (!arg(ev, n, 0, {Kind::string}, &subject)) return false;
  if (subject.str.size > kMaxSubjectBytes) {
    return ev.fail(
        n, "matches() subject is longer than " + std::to_string(kMaxSubjectBytes) + " bytes");
  }
  const boost::regex* re = nullptr;
  boost::regex compiled;
  if (n.extra != kNoIndex) {
    re = ev.ast().regexes[n.extra].get();
  } else {
    Val pattern;
    if (!arg(ev, n, 1, {Kind::string}, &pattern)) return false;
    if (pattern.str.size > kMaxPatternBytes) {
      return ev.fail(
          n, "matches() pattern is longer than " + std::to_string(kMaxPatternBytes) + " bytes");
    }
    try {
      compiled.assign(pattern.str.data, pattern.str.data + pattern.str.size, kRegexSyntax);
    } catch (const std::exception& e) {
      return ev.fail(n, std::string("invalid regular expression: ") + e.what());
    }
    re = &compiled;
  }
  try {
    const char* begin = subject.str.data;
    out->set_boolean(boost::regex_search(begin, begin + subject.str.size, *re,
                                         boost::match_default | boost::match_not_dot_newline));
  } catch (const std::exception& e) {  // Boost's complexity or stack limits
    std::string_view why = e.what();
    why = why.substr(0, why.find('.'));  // the first sentence is the useful part
    return ev.fail(n, "matches() gave up, the pattern is too complex for this subject (" +
                          std::string(why) + ")");
  }
  return true;
}

bool fn_case(Evaluator& ev, const Node& n, bool upper, Val* out) {
  Val s;
  if (!arg(ev, n, 0, {Kind::string}, &s)) return false;
  const std::string_view in = s.sv();
  const bool changes = std::any_of(in.begin(), in.end(), [upper](char c) {
    return upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z');
  });
  if (!changes) {
    *out = s;
    return true;
  }
  char* p = nullptr;
  if (!ev.alloc(n, in.size(), &p)) return false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    p[i] = c;
  }
  out->set_string(std::string_view(p, in.size()));
  return true;
}

bool fn_string_test(Evaluator& ev, const Node& n, Fn fn, Val* out) {
  Val s;
  Val part;
  if (!arg(ev, n, 0, {Kind::string}, &s) || !arg(ev, n, 1, {Kind::string}, &part)) return false;
  const std::string_view a = s.sv();
  const std::string_view b = part.sv();
  bool r = false;
  if (fn == Fn::contains) {
    r = a.find(b) != std::string_view::npos;
  } else if (fn == Fn::starts_with) {
    r = a.starts_with(b);
  } else {
    r = a.ends_with(b);
  }
  out->set_boolean(r);
  return true;
}

// min/max over several number arguments or one list (or one number).
bool fn_extreme(Evaluator& ev, const Node& n, bool is_max, Val* out) {
  const std::string name = is_max ? "max()" : "min()";
  std::optional<Decimal> best;
  auto consider = [&](const Val& v, const std::string& what, const Node& where) {
    if (v.kind != Kind::number) {
      return ev.fail(n, name + " expects numbers",
                     " (" + what + " '" + ev.snippet(where) + "' is " + describe(v) + ")");
    }
    if (!best || (is_max ? v.num > *best : v.num < *best)) best = v.num;
    return true;
  };
  if (n.count == 1) {
    Val v;
    if (!arg(ev, n, 0, {Kind::list, Kind::number}, &v)) return false;
    if (v.kind == Kind::number) {
      *out = v;
      return true;
    }
    const std::size_t size = list_size(v);
    if (size == 0) return ev.fail(n, name + " of an empty list");
    for (std::size_t i = 0; i < size; ++i) {
      Val item;
      if (auto s = list_at(v, i, &item); s != ConvertStatus::ok) return ev.bad_data(n, s);
      if (!consider(item, "element " + std::to_string(i) + " of", ev.child(n, 0))) return false;
    }
  } else {
    for (std::uint32_t k = 0; k < n.count; ++k) {
      Val item;
      if (!ev.eval_child(n, k, &item)) return false;
      if (!consider(item, arg_role(n, k), ev.child(n, k))) return false;
    }
  }
  out->set_number(*best);
  return true;
}

bool fn_round(Evaluator& ev, const Node& n, Val* out) {
  Val x;
  if (!arg(ev, n, 0, {Kind::number}, &x)) return false;
  std::int64_t digits = 0;
  if (n.count == 2) {
    Val d;
    if (!arg(ev, n, 1, {Kind::number}, &d)) return false;
    const auto i = d.num.to_int64();
    if (!i || *i < 0 || *i > Decimal::kMaxScale) {
      return ev.fail(n, "round() digits must be an integer from 0 to 18",
                     " (" + ev.is("digits", ev.child(n, 1), d) + ")");
    }
    digits = *i;
  }
  out->set_number(x.num.round_half_away(static_cast<int>(digits)));
  return true;
}

bool fn_sum(Evaluator& ev, const Node& n, Val* out) {
  Val list;
  if (!arg(ev, n, 0, {Kind::list}, &list)) return false;
  Decimal total;
  const std::size_t size = list_size(list);
  for (std::size_t i = 0; i < size; ++i) {
    Val item;
    if (auto s = list_at(list, i, &item); s != ConvertStatus::ok) return ev.bad_data(n, s);
    if (item.kind != Kind::number) {
      return ev.fail(n, "sum() expects a list of numbers",
                     " (element " + std::to_string(i) + " of '" + ev.snippet(ev.child(n, 0)) +
                         "' is " + describe(item) + ")");
    }
    auto next = checked_add(total, item.num);
    if (!next) return ev.fail(n, "decimal overflow (the result needs more than 38 digits)");
    total = *next;
  }
  out->set_number(total);
  return true;
}

const char* const kTimestampForms = "YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.ffffff] with Z or +hh:mm";

// A timestamp argument, or a string holding one.
bool timestamp_arg(Evaluator& ev, const Node& n, std::uint32_t k, std::int64_t* micros) {
  Val v;
  if (!arg(ev, n, k, {Kind::timestamp, Kind::string}, &v)) return false;
  if (v.kind == Kind::timestamp) {
    *micros = v.ts_micros;
    return true;
  }
  const auto parsed = parse_timestamp(v.sv());
  if (!parsed) {
    const FunctionInfo& info = function_info(static_cast<Fn>(n.payload));
    return ev.fail(n, std::string(info.name) + "(): invalid date or timestamp \"" +
                          std::string(v.sv()) + "\" (expected " + kTimestampForms + ")");
  }
  *micros = *parsed;
  return true;
}

bool fn_days_between(Evaluator& ev, const Node& n, Val* out) {
  std::int64_t from = 0;
  std::int64_t to = 0;
  if (!timestamp_arg(ev, n, 0, &from) || !timestamp_arg(ev, n, 1, &to)) return false;
  std::int64_t diff = 0;
  if (__builtin_sub_overflow(to, from, &diff))
    return ev.fail(n, "timestamp difference out of range");
  out->set_number(Decimal::from_int64(diff / kMicrosPerDay));  // truncates toward zero
  return true;
}

bool fn_date(Evaluator& ev, const Node& n, Val* out) {
  std::int64_t micros = 0;
  if (!timestamp_arg(ev, n, 0, &micros)) return false;
  out->set_timestamp(micros);
  return true;
}

bool fn_number(Evaluator& ev, const Node& n, Val* out) {
  Val v;
  if (!arg(ev, n, 0, {Kind::string, Kind::number}, &v)) return false;
  if (v.kind == Kind::number) {
    *out = v;
    return true;
  }
  Decimal d;
  const std::string quoted =
      "\"" + std::string(v.sv().substr(0, 64)) + (v.str.size > 64 ? "...\"" : "\"");
  switch (Decimal::parse(v.sv(), Decimal::Rounding::exact, &d)) {
    case Decimal::ParseStatus::ok:
      out->set_number(d);
      return true;
    case Decimal::ParseStatus::syntax:
      return ev.fail(n, "number(): " + quoted + " is not a decimal number");
    case Decimal::ParseStatus::too_precise:
      return ev.fail(n, "number(): " + quoted + " has more than 18 fractional digits");
    case Decimal::ParseStatus::overflow:
      return ev.fail(n, "number(): " + quoted + " is out of range (at most 38 digits)");
  }
  return false;
}

bool fn_string(Evaluator& ev, const Node& n, Val* out) {
  Val v;
  if (!ev.eval_child(n, 0, &v)) return false;
  std::string text;
  switch (v.kind) {
    case Kind::string:
      *out = v;
      return true;
    case Kind::null:
      out->set_string("null");
      return true;
    case Kind::boolean:
      out->set_string(v.b ? "true" : "false");
      return true;
    case Kind::number:
      text = v.num.to_string();
      break;
    case Kind::timestamp:
      text = format_timestamp(v.ts_micros);
      break;
    case Kind::list:
    case Kind::map: {
      Value value;
      if (auto s = to_value(v, &value); s != ConvertStatus::ok) return ev.bad_data(n, s);
      text = to_json_text(value);
      break;
    }
  }
  std::string_view stored;
  if (!ev.store(n, text, &stored)) return false;
  out->set_string(stored);
  return true;
}

}  // namespace

bool call_builtin(Evaluator& ev, const Node& n, Val* out) {
  const auto fn = static_cast<Fn>(n.payload);
  switch (fn) {
    case Fn::size:
      return fn_size(ev, n, out);
    case Fn::has:
      return fn_has(ev, n, out);
    case Fn::matches:
      return fn_matches(ev, n, out);
    case Fn::lower:
      return fn_case(ev, n, false, out);
    case Fn::upper:
      return fn_case(ev, n, true, out);
    case Fn::contains:
    case Fn::starts_with:
    case Fn::ends_with:
      return fn_string_test(ev, n, fn, out);
    case Fn::min:
      return fn_extreme(ev, n, false, out);
    case Fn::max:
      return fn_extreme(ev, n, true, out);
    case Fn::abs: {
      Val x;
      if (!arg(ev, n, 0, {Kind::number}, &x)) return false;
      out->set_number(x.num.abs());
      return true;
    }
    case Fn::round:
      return fn_round(ev, n, out);
    case Fn::sum:
      return fn_sum(ev, n, out);
    case Fn::days_between:
      return fn_days_between(ev, n, out);
    case Fn::now:
      out->set_timestamp(ev.context().now_us);
      return true;
    case Fn::date:
      return fn_date(ev, n, out);
    case Fn::number:
      return fn_number(ev, n, out);
    case Fn::string:
      return fn_string(ev, n, out);
  }
  return ev.fail(n, "internal error: unknown function");
}

}  // namespace ledgerflow::expr
