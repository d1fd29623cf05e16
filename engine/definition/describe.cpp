#include "engine/definition/describe.h"

#include <sstream>

namespace ledgerflow::def {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// One line of detail per state type for the text view.
std::string detail(const State& s) {
  return std::visit(
      [](const auto& spec) -> std::string {
        using T = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<T, TaskSpec>) return "action " + spec.action;
        if constexpr (std::is_same_v<T, ScoreSpec>) {
          std::string out =
              "model " + spec.model + ", " + std::to_string(spec.features.size()) + " features";
          if (!spec.shadow.empty()) out += ", shadow " + join(spec.shadow);
          return out;
        }
        if constexpr (std::is_same_v<T, DecideSpec>) {
          static const char* hits[] = {"first", "unique", "collect"};
          return std::to_string(spec.rules.size()) + " rules, hit " +
                 hits[static_cast<int>(spec.hit)];
        }
        if constexpr (std::is_same_v<T, ChoiceSpec>)
          return std::to_string(spec.choices.size()) + " choices + default";
        if constexpr (std::is_same_v<T, ApprovalSpec>) {
          std::vector<std::string> who = spec.candidates.roles;
          for (const auto& u : spec.candidates.users) who.push_back("user " + u);
          std::string out = std::to_string(spec.min_approvals) + " of " + join(who);
          if (spec.due) out += ", due " + to_string(*spec.due);
          if (!spec.forbid.empty()) out += ", forbid " + std::to_string(spec.forbid.size());
          return out;
        }
        if constexpr (std::is_same_v<T, WaitSpec>) {
          if (spec.duration) return "for " + to_string(*spec.duration);
          if (spec.until) return "until " + spec.until->source;
          return "signal " + spec.signal;
        }
        if constexpr (std::is_same_v<T, ParallelSpec>)
          return std::to_string(spec.branches.size()) + " branches, join " +
                 (spec.join == Join::all ? "all" : "any");
        if constexpr (std::is_same_v<T, MapSpec>)
          return "over " + spec.items.source + ", " + std::to_string(spec.max_concurrency) +
                 " at once";
        if constexpr (std::is_same_v<T, SubflowSpec>) return "workflow " + spec.workflow;
        if constexpr (std::is_same_v<T, SucceedSpec>) return "";
        if constexpr (std::is_same_v<T, FailSpec>) return "error " + spec.error;
        return "";
      },
      s.spec);
}

void describe_flow(const Flow& flow, std::ostringstream& out, const std::string& indent) {
  out << indent << "start: " << flow.start << "\n";
  for (const auto& s : flow.states) {
    out << indent << "  " << s.name << " (" << to_string(s.type) << ")";
    std::string d = detail(s);
    if (!d.empty()) out << ": " << d;
    out << "\n";
    for (const auto& e : edges_of(flow)) {
      if (e.from != s.name) continue;
      out << indent << "    -> " << e.to;
      if (!e.label.empty()) out << "  [" << e.label << "]";
      out << "\n";
    }
    if (const auto* p = std::get_if<ParallelSpec>(&s.spec)) {
      for (std::size_t i = 0; i < p->branches.size(); ++i) {
        out << indent << "    branch " << i + 1 << ":\n";
        describe_flow(p->branches[i], out, indent + "      ");
      }
    }
    if (const auto* m = std::get_if<MapSpec>(&s.spec)) {
      out << indent << "    iterator:\n";
      describe_flow(m->iterator, out, indent + "      ");
    }
  }
}

void dot_flow(const Flow& flow, std::ostringstream& out, const std::string& prefix, int& cluster) {
  for (const auto& s : flow.states) {
    const char* shape = "box";
    switch (s.type) {
      case StateType::choice:
      case StateType::decide:
        shape = "diamond";
        break;
      case StateType::succeed:
        shape = "doublecircle";
        break;
      case StateType::fail:
        shape = "octagon";
        break;
      case StateType::approval:
        shape = "house";
        break;
      case StateType::score:
        shape = "hexagon";
        break;
      default:
        break;
    }
    out << "  \"" << prefix << dot_escape(s.name) << "\" [shape=" << shape << ", label=\""
        << dot_escape(s.name) << "\\n(" << to_string(s.type) << ")\"];\n";
  }
  for (const auto& e : edges_of(flow)) {
    out << "  \"" << prefix << dot_escape(e.from) << "\" -> \"" << prefix << dot_escape(e.to)
        << "\"";
    if (!e.label.empty()) out << " [label=\"" << dot_escape(e.label) << "\"]";
    out << ";\n";
  }
  for (const auto& s : flow.states) {
    std::vector<const Flow*> subs;
    if (const auto* p = std::get_if<ParallelSpec>(&s.spec)) {
      for (const auto& b : p->branches) subs.push_back(&b);
    }
    if (const auto* m = std::get_if<MapSpec>(&s.spec)) subs.push_back(&m->iterator);
    for (const Flow* sub : subs) {
      int id = cluster++;
      std::string sub_prefix = prefix + s.name + "/" + std::to_string(id) + "/";
      out << "  subgraph \"cluster_" << id << "\" {\n  label=\"" << dot_escape(s.name) << "\";\n";
      dot_flow(*sub, out, sub_prefix, cluster);
      out << "  }\n";
      out << "  \"" << prefix << dot_escape(s.name) << "\" -> \"" << sub_prefix
          << dot_escape(sub->start) << "\" [style=dashed];\n";
    }
  }
}

}  // namespace

std::vector<Edge> edges_of(const Flow& flow) {
  std::vector<Edge> out;
  for (const auto& s : flow.states) {
    if (const auto* c = std::get_if<ChoiceSpec>(&s.spec)) {
      for (const auto& b : c->choices) out.push_back({s.name, b.next, "when " + b.when.source});
      out.push_back({s.name, c->default_next, "default"});
    }
    if (const auto* a = std::get_if<ApprovalSpec>(&s.spec)) {
      for (const auto& [outcome, target] : a->on) out.push_back({s.name, target, outcome});
    }
    if (!s.next.empty()) out.push_back({s.name, s.next, ""});
    for (const auto& k : s.catchers) out.push_back({s.name, k.next, "catch " + join(k.errors)});
  }
  return out;
}

std::string describe_text(const Definition& d) {
  std::ostringstream out;
  out << "workflow " << d.name;
  if (d.version) out << " (version " << *d.version << ")";
  if (!d.title.empty()) out << ": " << d.title;
  out << "\n" << d.state_count() << " states";
  if (!d.sensitive.empty()) out << "; sensitive: " << join(d.sensitive);
  if (d.timeout) out << "; instance timeout " << to_string(*d.timeout);
  out << "\n";
  describe_flow(d.flow, out, "");
  return out.str();
}

std::string to_dot(const Definition& d) {
  std::ostringstream out;
  out << "digraph \"" << dot_escape(d.name)
      << "\" {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n";
  out << "  \"__start\" [shape=point];\n  \"__start\" -> \"" << dot_escape(d.flow.start) << "\";\n";
  int cluster = 0;
  dot_flow(d.flow, out, "", cluster);
  out << "}\n";
  return out.str();
}

}  // namespace ledgerflow::def
