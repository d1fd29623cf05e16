#include "engine/expr/evaluator.h"

#include <algorithm>
#include <cstring>

#include "engine/common/utf8.h"

namespace ledgerflow::expr {
namespace {

using json = nlohmann::json;

std::string_view op_text(Op op) {
  switch (op) {
    case Op::add:
      return "add";
    case Op::sub:
      return "subtract";
    case Op::mul:
      return "multiply";
    case Op::div:
      return "divide";
    case Op::mod:
      return "take the remainder of";
    default:
      return "combine";
  }
}

bool addable(Kind k) {
  return k == Kind::number || k == Kind::string || k == Kind::list;
}
bool ordered(Kind k) {
  return k == Kind::number || k == Kind::string || k == Kind::timestamp;
}

}  // namespace

bool Evaluator::fail(const Node& n, std::string_view message, std::string_view detail) {
  error_.assign(message);
  error_ += " in '";
  constexpr std::size_t kMaxSnippet = 160;
  const std::string text = snippet(n);
  if (text.size() > kMaxSnippet) {
    std::size_t cut = utf8::floor_boundary(text, kMaxSnippet);
    error_ += text.substr(0, cut) + "...";
  } else {
    error_ += text;
  }
  error_ += "'";
  error_ += detail;
  return false;
}

std::string Evaluator::is(std::string_view role, const Node& operand, const Val& v) const {
  return std::string(role) + " '" + snippet(operand) + "' is " + describe(v);
}

bool Evaluator::out_of_memory(const Node& n) {
  return fail(n, "evaluation exceeded its memory limit");
}

bool Evaluator::store(const Node& n, std::string_view s, std::string_view* out) {
  char* p = nullptr;
  if (!alloc(n, s.size(), &p)) return false;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  *out = std::string_view(p, s.size());
  return true;
}

bool Evaluator::bad_data(const Node& n, ConvertStatus status) {
  if (status == ConvertStatus::too_deep) {
    return fail(n, "data nested more than " + std::to_string(kMaxValueDepth) + " levels deep");
  }
  return fail(n, "data number out of the decimal range (NaN, infinite, or 10^38 and beyond)");
}

bool Evaluator::too_many_steps(const Node& n) {
  return fail(n, "evaluation exceeded " + std::to_string(kMaxEvalSteps) + " steps");
}

bool Evaluator::eval(std::uint32_t id, Val* out) {
  const Node& n = ast_.nodes[id];
  if (++steps_ > kMaxEvalSteps) return too_many_steps(n);
  switch (n.op) {
    case Op::constant:
      *out = ast_.constants[n.payload];
      return true;
    case Op::path: {
      bool present = false;
      return resolve(n, false, out, &present);
    }
    case Op::and_:
    case Op::or_:
      return eval_logic(n, out);
    case Op::not_:
    case Op::neg:
      return eval_unary(n, out);
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
    case Op::mod:
      return eval_arith(n, out);
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
      return eval_order(n, out);
    case Op::eq:
    case Op::ne:
      return eval_equal(n, out);
    case Op::in:
      return eval_in(n, out);
    case Op::cond: {
      Val c;
      if (!eval_child(n, 0, &c)) return false;
      if (c.kind != Kind::boolean) {
        return fail_operand(n, "the condition of '?:' must be bool", "condition", 0, c);
      }
      return eval_child(n, c.b ? 1 : 2, out);
    }
    case Op::list:
      return eval_list(n, out);
    case Op::map:
      return eval_map(n, out);
    case Op::call:
      return call_builtin(*this, n, out);
    case Op::macro:
      return eval_macro(n, out);
  }
  return fail(n, "internal error: unknown operation");
}

bool Evaluator::fail_operand(const Node& n, std::string_view message, std::string_view role,
                             std::uint32_t k, const Val& v) {
  return fail(n, message, " (" + is(role, child(n, k), v) + ")");
}

bool Evaluator::eval_unary(const Node& n, Val* out) {
  Val v;
  if (!eval_child(n, 0, &v)) return false;
  if (n.op == Op::not_) {
    if (v.kind != Kind::boolean) return fail_operand(n, "'!' needs a bool", "operand", 0, v);
    out->set_boolean(!v.b);
    return true;
  }
  if (v.kind != Kind::number) {
    return fail_operand(n, "cannot negate " + std::string(to_string(v.kind)), "operand", 0, v);
  }
  out->set_number(v.num.negated());
  return true;
}

bool Evaluator::eval_logic(const Node& n, Val* out) {
  const bool is_and = n.op == Op::and_;
  for (std::uint32_t k = 0; k < n.count; ++k) {
    Val v;
    if (!eval_child(n, k, &v)) return false;
    if (v.kind != Kind::boolean) {
      return fail_operand(n, is_and ? "'&&' needs bool operands" : "'||' needs bool operands",
                          "operand", k, v);
    }
    if (v.b != is_and) {  // false for &&, true for ||: short-circuit
      out->set_boolean(v.b);
      return true;
    }
  }
  out->set_boolean(is_and);
  return true;
}

bool Evaluator::eval_arith(const Node& n, Val* out) {
  Val a;
  Val b;
  if (!eval_child(n, 0, &a) || !eval_child(n, 1, &b)) return false;
  if (a.kind == Kind::number && b.kind == Kind::number) {
    std::optional<Decimal> r;
    switch (n.op) {
      case Op::add:
        r = checked_add(a.num, b.num);
        break;
      case Op::sub:
        r = checked_sub(a.num, b.num);
        break;
      case Op::mul:
        r = checked_mul(a.num, b.num);
        break;
      case Op::div:
      case Op::mod:
        if (b.num.is_zero()) {
          return fail_operand(n, n.op == Op::div ? "division by zero" : "modulo by zero",
                              "right side", 1, b);
        }
        r = n.op == Op::div ? checked_div(a.num, b.num) : checked_mod(a.num, b.num);
        break;
      default:
        break;
    }
    if (!r) return fail(n, "decimal overflow (the result needs more than 38 digits)");
    out->set_number(*r);
    return true;
  }
  if (n.op == Op::add && a.kind == b.kind && (a.kind == Kind::string || a.kind == Kind::list)) {
    return concat(n, a, b, out);
  }
  return arith_type_error(n, a, b);
}

bool Evaluator::arith_type_error(const Node& n, const Val& a, const Val& b) {
  // Name the operand(s) at fault: the null side(s), else the one of the wrong kind,
  // else (a valid but mismatched pair, "a" + 1) both.
  const bool numeric_only = n.op != Op::add;
  auto wrong = [&](const Val& v) {
    return v.kind == Kind::null || (numeric_only ? v.kind != Kind::number : !addable(v.kind));
  };
  bool blame_a = wrong(a);
  bool blame_b = wrong(b);
  if (a.kind == Kind::null || b.kind == Kind::null) {
    blame_a = a.kind == Kind::null;
    blame_b = b.kind == Kind::null;
  }
  if (!blame_a && !blame_b) blame_a = blame_b = true;
  std::string detail = " (";
  if (blame_a) detail += is("left side", child(n, 0), a);
  if (blame_a && blame_b) detail += ", ";
  if (blame_b) detail += is("right side", child(n, 1), b);
  detail += ")";
  return fail(n,
              "cannot " + std::string(op_text(n.op)) + " " + std::string(to_string(a.kind)) +
                  " and " + std::string(to_string(b.kind)),
              detail);
}

bool Evaluator::concat(const Node& n, const Val& a, const Val& b, Val* out) {
  if (a.kind == Kind::string) {
    char* p = nullptr;
    if (!alloc(n, a.str.size + b.str.size, &p)) return false;
    if (a.str.size != 0) std::memcpy(p, a.str.data, a.str.size);
    if (b.str.size != 0) std::memcpy(p + a.str.size, b.str.data, b.str.size);
    out->set_string(std::string_view(p, a.str.size + b.str.size));
    return true;
  }
  const std::size_t na = list_size(a);
  const std::size_t nb = list_size(b);
  Val* items = nullptr;
  if (!alloc(n, na + nb, &items)) return false;
  for (std::size_t i = 0; i < na; ++i) {
    if (auto s = list_at(a, i, &items[i]); s != ConvertStatus::ok) return bad_data(child(n, 0), s);
  }
  for (std::size_t i = 0; i < nb; ++i) {
    if (auto s = list_at(b, i, &items[na + i]); s != ConvertStatus::ok)
      return bad_data(child(n, 1), s);
  }
  out->set_list(items, na + nb);
  return true;
}

bool Evaluator::eval_order(const Node& n, Val* out) {
  Val a;
  Val b;
  if (!eval_child(n, 0, &a) || !eval_child(n, 1, &b)) return false;
  if (a.kind != b.kind || !ordered(a.kind)) return order_type_error(n, a, b);
  std::strong_ordering c = std::strong_ordering::equal;
  if (a.kind == Kind::number) {
    c = a.num <=> b.num;
  } else if (a.kind == Kind::string) {
    c = a.sv() <=> b.sv();
  } else {
    c = a.ts_micros <=> b.ts_micros;
  }
  bool r = false;
  switch (n.op) {
    case Op::lt:
      r = c < 0;
      break;
    case Op::le:
      r = c <= 0;
      break;
    case Op::gt:
      r = c > 0;
      break;
    default:
      r = c >= 0;
      break;
  }
  out->set_boolean(r);
  return true;
}

bool Evaluator::order_type_error(const Node& n, const Val& a, const Val& b) {
  return fail(
      n,
      "cannot compare " + std::string(to_string(a.kind)) + " and " +
          std::string(to_string(b.kind)) + " with '" +
          std::string(src_.substr(n.tok_offset, n.tok_length)) + "'",
      " (" + is("left side", child(n, 0), a) + ", " + is("right side", child(n, 1), b) + ")");
}

bool Evaluator::eval_equal(const Node& n, Val* out) {
  Val a;
  Val b;
  if (!eval_child(n, 0, &a) || !eval_child(n, 1, &b)) return false;
  const EqualStatus s = equal(a, b);
  if (s == EqualStatus::bad_data) return bad_data(n, ConvertStatus::bad_data);
  if (s == EqualStatus::too_deep) return bad_data(n, ConvertStatus::too_deep);
  out->set_boolean((s == EqualStatus::yes) == (n.op == Op::eq));
  return true;
}

bool Evaluator::eval_in(const Node& n, Val* out) {
  Val item;
  Val container;
  if (!eval_child(n, 0, &item) || !eval_child(n, 1, &container)) return false;
  switch (container.kind) {
    case Kind::list: {
      if (container.json_backed && item.kind == Kind::string) {
        // Hot path (`id in blocked`): compare with the JSON strings in place; elements
        // of other kinds cannot equal a string.
        for (const auto& element : container.json->get_ref<const json::array_t&>()) {
          const auto* s = element.get_ptr<const json::string_t*>();
          if (s != nullptr && std::string_view(*s) == item.sv()) {
            out->set_boolean(true);
            return true;
          }
        }
        out->set_boolean(false);
        return true;
      }
      const std::size_t size = list_size(container);
      for (std::size_t i = 0; i < size; ++i) {
        Val element;
        if (auto s = list_at(container, i, &element); s != ConvertStatus::ok) {
          return bad_data(child(n, 1), s);
        }
        const EqualStatus eq = equal(item, element);
        if (eq == EqualStatus::yes) {
          out->set_boolean(true);
          return true;
        }
        if (eq != EqualStatus::no) return bad_data(n, ConvertStatus::bad_data);
      }
      out->set_boolean(false);
      return true;
    }
    case Kind::map:
    case Kind::string: {
      if (item.kind != Kind::string) {
        return fail(
            n,
            "'in' on a " + std::string(to_string(container.kind)) + " needs a string on the left",
            " (" + is("left side", child(n, 0), item) + ")");
      }
      if (container.kind == Kind::string) {
        out->set_boolean(container.sv().find(item.sv()) != std::string_view::npos);
        return true;
      }
      Val ignored;
      bool found = false;
      if (auto s = map_find(container, item.sv(), &ignored, &found); s != ConvertStatus::ok) {
        return bad_data(child(n, 1), s);
      }
      out->set_boolean(found);
      return true;
    }
    default:
      return fail(n, "'in' needs a list, map or string on the right",
                  " (" + is("right side", child(n, 1), container) + ")");
  }
}

bool Evaluator::eval_list(const Node& n, Val* out) {
  Val* items = nullptr;
  if (!alloc(n, n.count, &items)) return false;
  for (std::uint32_t k = 0; k < n.count; ++k) {
    if (!eval_child(n, k, &items[k])) return false;
  }
  out->set_list(items, n.count);
  return true;
}

bool Evaluator::eval_map(const Node& n, Val* out) {
  const std::vector<std::string>& keys = ast_.map_keys[n.payload];
  MapEntry* entries = nullptr;
  if (!alloc(n, n.count, &entries)) return false;
  for (std::uint32_t k = 0; k < n.count; ++k) {
    entries[k].key = keys[k];
    if (!eval_child(n, k, &entries[k].value)) return false;
  }
  std::sort(entries, entries + n.count,
            [](const MapEntry& a, const MapEntry& b) { return a.key < b.key; });
  out->set_map(entries, n.count);
  return true;
}

bool Evaluator::eval_macro(const Node& n, Val* out) {
  const auto kind = static_cast<MacroKind>(n.aux);
  const std::string name(macro_name(kind));
  Val list;
  if (!eval_child(n, 0, &list)) return false;
  if (list.kind != Kind::list) {
    return fail(n, name + "() needs a list", " (" + is("receiver", child(n, 0), list) + ")");
  }
  const std::size_t size = list_size(list);
  Val* items = nullptr;
  if ((kind == MacroKind::map || kind == MacroKind::filter) && !alloc(n, size, &items))
    return false;
  std::size_t kept = 0;
  Val& var = slots_.v[n.slot];
  for (std::size_t i = 0; i < size; ++i) {
    if (++steps_ > kMaxEvalSteps) return too_many_steps(n);
    if (auto s = list_at(list, i, &var); s != ConvertStatus::ok) return bad_data(child(n, 0), s);
    if (kind == MacroKind::map) {
      if (!eval_child(n, 1, &items[i])) return false;
      continue;
    }
    const Val element = var;
    Val keep;
    if (!eval_child(n, 1, &keep)) return false;
    if (keep.kind != Kind::boolean) {
      return fail(
          n, "the condition of " + name + "() must be bool",
          " (" + is("condition", child(n, 1), keep) + " for element " + std::to_string(i) + ")");
    }
    if (kind == MacroKind::filter) {
      if (keep.b) items[kept++] = element;
    } else if (keep.b == (kind == MacroKind::exists)) {  // all(): first false; exists(): first true
      out->set_boolean(keep.b);
      return true;
    }
  }
  if (kind == MacroKind::map) {
    out->set_list(items, size);
  } else if (kind == MacroKind::filter) {
    out->set_list(items, kept);
  } else {
    out->set_boolean(kind == MacroKind::all);
  }
  return true;
}

const nlohmann::json* Evaluator::cached_root_field(const Path& path) {
  const std::uint32_t bit = 1U << path.root_slot;
  if ((root_cached_ & bit) == 0) {
    const auto& object = data_.get_ref<const json::object_t&>();
    const auto it = object.find(path.segments.front().key);
    root_cache_[path.root_slot] = it == object.end() ? nullptr : &it->second;
    root_cached_ |= bit;
  }
  return root_cache_[path.root_slot];
}

std::string Evaluator::path_prefix(const Path& path, std::size_t segment) const {
  const std::uint32_t end = segment == 0 ? path.root_end : path.segments[segment - 1].end;
  return std::string(src_.substr(path.start, end - path.start));
}

bool Evaluator::resolve(const Node& n, bool presence, Val* out, bool* present) {
  const Path& path = ast_.paths[n.payload];
  const json* j = nullptr;  // cursor while inside JSON data
  Val v;                    // cursor otherwise
  std::size_t first = 0;
  switch (path.root) {
    case Path::Root::data:
      j = &data_;
      if (path.root_slot != kNoRootSlot && data_.is_object()) {
        j = cached_root_field(path);
        if (j == nullptr) {
          *present = false;
          out->set_null();
          return true;
        }
        first = 1;
      }
      break;
    case Path::Root::env:
      j = ctx_.env;
      break;  // no env: null
    case Path::Root::variable:
      v = slots_.v[path.slot];
      break;
    case Path::Root::value:
      if (!eval(path.node, &v)) return false;
      break;
  }
  if (v.json_backed) j = v.json;
  *present = true;
  auto missing = [&] {
    *present = false;
    out->set_null();
    return true;
  };
  for (std::size_t i = first; i < path.segments.size(); ++i) {
    const Segment& seg = path.segments[i];
    bool by_key = seg.kind == Segment::Kind::field;
    std::string_view key = seg.key;
    std::int64_t index = seg.index;
    if (seg.kind == Segment::Kind::dynamic) {
      Val k;
      if (!eval(seg.node, &k)) return false;
      std::optional<std::int64_t> as_int;
      if (k.kind == Kind::number) as_int = k.num.to_int64();
      if (k.kind == Kind::string) {
        by_key = true;
        key = k.sv();
      } else if (as_int) {
        index = *as_int;
      } else {
        const Node& index_node = ast_.nodes[seg.node];
        return fail(n, "an index must be an integer or a string",
                    " (" + is("index", index_node, k) + ")");
      }
    }
    // The kind of the current value, whichever cursor holds it (for JSON scalars any
    // non-container kind will do: they only reach the error branch below).
    Kind kind = v.kind;
    if (j != nullptr) {
      kind = j->is_object()  ? Kind::map
             : j->is_array() ? Kind::list
             : j->is_null()  ? Kind::null
                             : Kind::number;
    }
    if (kind == Kind::null) return missing();
    if (kind == Kind::map && by_key) {
      if (j != nullptr) {
        const auto& object = j->get_ref<const json::object_t&>();
        const auto it = object.find(key);
        if (it == object.end()) return missing();
        j = &it->second;
      } else {
        bool found = false;
        if (auto s = map_find(v, key, &v, &found); s != ConvertStatus::ok) return bad_data(n, s);
        if (!found) return missing();
        if (v.json_backed) j = v.json;
      }
      continue;
    }
    if (kind == Kind::list && !by_key) {
      if (j != nullptr) {
        const auto& array = j->get_ref<const json::array_t&>();
        if (index < 0 || static_cast<std::uint64_t>(index) >= array.size()) return missing();
        j = &array[static_cast<std::size_t>(index)];
      } else {
        if (index < 0 || static_cast<std::uint64_t>(index) >= v.list.size) return missing();
        v = v.list.items[index];
        if (v.json_backed) j = v.json;
      }
      continue;
    }
    if (presence && kind != Kind::map && kind != Kind::list) return missing();
    // A real type error: say what was there.
    Val here = v;
    if (j != nullptr) {
      if (auto s = borrow_json(*j, &here); s != ConvertStatus::ok) return bad_data(n, s);
    }
    const std::string what =
        by_key ? "field '" + std::string(key) + "'" : "element " + std::to_string(index);
    const std::string prefix = path_prefix(path, i);
    const std::string where = prefix.empty() ? "the instance data is " + describe(here)
                                             : "'" + prefix + "' is " + describe(here);
    if (kind == Kind::map) {
      return fail(n, "cannot index a map with a number (map keys are strings)", " (" + where + ")");
    }
    return fail(n, "cannot select " + what + " of " + std::string(to_string(here.kind)),
                " (" + where + ")");
  }
  if (presence) {  // has() needs no value (and must not fail on an unrepresentable one)
    out->set_null();
    return true;
  }
  if (j != nullptr) {
    if (auto s = borrow_json(*j, out); s != ConvertStatus::ok) return bad_data(n, s);
    return true;
  }
  *out = v;
  return true;
}

}  // namespace ledgerflow::expr
