#include "plugins/finance/records/importer.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "engine/expr/json_input.h"
#include "plugins/finance/records/csv.h"

namespace ledgerflow::records {
namespace {

// One row as it arrived, before validation.
struct RawRow {
  std::size_t row = 0;
  std::size_t line = 0;
  RowCells cells;
  std::vector<RowCells> children;  // inline invoice lines (JSON)
  bool inline_lines = false;       // the object had a "lines" field (even an empty one)
  std::vector<ImportError> problems;
};

constexpr std::string_view kInlineLines = "lines";
constexpr std::size_t kMaxInlineLines = 1000;

// Record payloads keep plain decimals as their text (amounts are read exactly by the
// record types), with the nesting bound and number errors of every untrusted JSON input.
Result<nlohmann::json> parse_keeping_decimals(std::string_view text) {
  expr::JsonInputOptions options;
  options.keep_decimal_text = true;
  return expr::parse_json_input(text, options);
}

bool has_inline_lines(const RecordType& type) {
  return type.name == "invoices";
}

class Report {
 public:
  explicit Report(ImportReport& r) : r_(r) {}
  void add(ImportError e) {
    ++r_.error_count;
    if (r_.errors.size() < kMaxReportedErrors) r_.errors.push_back(std::move(e));
  }

 private:
  ImportReport& r_;
};

// A JSON scalar as cell text; false for objects and arrays.
bool cell_text(const nlohmann::json& v, std::string& out) {
  switch (v.type()) {
    case nlohmann::json::value_t::string:
      out = v.get<std::string>();
      return true;
    case nlohmann::json::value_t::null:
      out.clear();
      return true;
    case nlohmann::json::value_t::boolean:
      out = v.get<bool>() ? "1" : "0";
      return true;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      out = v.dump();
      return true;
    default:
      return false;
  }
}

// The cells of one JSON object; field problems go to `problems` under `prefix`.
RowCells object_cells(const RecordType& type, const nlohmann::json& object, bool allow_extra,
                      const std::string& prefix, bool inline_lines_allowed,
                      std::vector<ImportError>& problems, std::vector<RowCells>* children) {
  RowCells cells;
  for (const auto& [name, value] : object.items()) {
    if (inline_lines_allowed && name == kInlineLines && children != nullptr) {
      if (!value.is_array()) {
        problems.push_back({0, 0, {}, prefix + name, {}, "must be an array of invoice lines"});
        continue;
      }
      if (value.size() > kMaxInlineLines) {
        problems.push_back({0,
                            0,
                            {},
                            prefix + name,
                            {},
                            "has more than " + std::to_string(kMaxInlineLines) + " lines"});
        continue;
      }
      const RecordType& line_type = *find_record_type("invoice_lines");
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string where = prefix + name + "[" + std::to_string(i) + "].";
        if (!value[i].is_object()) {
          problems.push_back(
              {0, 0, {}, where.substr(0, where.size() - 1), {}, "must be an object"});
          continue;
        }
        children->push_back(
            object_cells(line_type, value[i], allow_extra, where, false, problems, nullptr));
      }
      continue;
    }
    if (type.column(name) == nullptr) {
      if (!allow_extra) {
        problems.push_back(
            {0, 0, {}, prefix + name, {}, "is not a column of " + std::string(type.name)});
      }
      continue;
    }
    std::string text;
    if (!cell_text(value, text)) {
      problems.push_back({0, 0, {}, prefix + name, {}, "must be a string or a number"});
      continue;
    }
    cells.cells.emplace_back(name, std::move(text));
  }
  return cells;
}

Result<std::vector<RawRow>> parse_csv_rows(std::string_view payload, const ImportOptions& o) {
  auto table = parse_csv(payload, o.source, o.max_rows);
  if (!table) return table.error();
  const RecordType& type = *o.type;
  std::set<std::string> seen;
  std::vector<int> used;  // header index -> used (1) or ignored (0)
  for (const auto& name : table->header) {
    if (!seen.insert(name).second) {
      return Error::invalid(o.source + ": column '" + name + "' appears twice in the header");
    }
    const bool known = type.column(name) != nullptr;
    if (!known && !o.allow_extra_columns) {
      std::string columns;
      for (const auto& c : type.columns) columns.append(columns.empty() ? "" : ", ").append(c.name);
      return Error::invalid(o.source + ": column '" + name + "' is not a column of " +
                            std::string(type.name) + " (columns: " + columns +
                            "; --allow-extra ignores extra columns)");
    }
    used.push_back(known ? 1 : 0);
  }
  std::string missing;
  for (const auto& c : type.columns) {
    if (c.required && seen.count(std::string(c.name)) == 0) {
      missing.append(missing.empty() ? "" : ", ").append(c.name);
    }
  }
  if (!missing.empty()) {
    return Error::invalid(o.source + ": the header lacks required column(s) " + missing + " of " +
                          std::string(type.name));
  }
  std::vector<RawRow> rows;
  rows.reserve(table->rows.size());
  for (std::size_t r = 0; r < table->rows.size(); ++r) {
    CsvRow& csv = table->rows[r];
    RawRow raw;
    raw.row = r + 1;
    raw.line = csv.line;
    if (csv.fields.size() != table->header.size()) {
      raw.problems.push_back({raw.row,
                              raw.line,
                              {},
                              {},
                              {},
                              "has " + std::to_string(csv.fields.size()) +
                                  " fields, the header has " +
                                  std::to_string(table->header.size())});
    } else {
      for (std::size_t c = 0; c < csv.fields.size(); ++c) {
        if (used[c] != 0) raw.cells.cells.emplace_back(table->header[c], std::move(csv.fields[c]));
      }
    }
    rows.push_back(std::move(raw));
  }
  return rows;
}

RawRow json_row(const RecordType& type, const nlohmann::json& v, std::size_t row,
                const ImportOptions& o) {
  RawRow raw;
  raw.row = row;
  if (!v.is_object()) {
    raw.problems.push_back({row, 0, {}, {}, {}, "is not a JSON object"});
    return raw;
  }
  raw.cells = object_cells(type, v, o.allow_extra_columns, "", has_inline_lines(type), raw.problems,
                           &raw.children);
  raw.inline_lines = has_inline_lines(type) && v.contains(std::string(kInlineLines));
  return raw;
}

Result<std::vector<RawRow>> parse_json_rows(std::string_view payload, const ImportOptions& o) {
  std::vector<RawRow> rows;
  if (o.format == PayloadFormat::json) {
    auto parsed = parse_keeping_decimals(payload);
    if (!parsed) return Error::invalid(o.source + ": " + parsed.error().message);
    nlohmann::json doc = std::move(*parsed);
    if (!doc.is_array()) {
      return Error::invalid(o.source + ": a JSON array of " + std::string(o.type->name) +
                            " records is expected (or NDJSON: one object per line)");
    }
    if (doc.size() > o.max_rows) {
      return Error::invalid(o.source + ": more than " + std::to_string(o.max_rows) +
                            " records; split the payload");
    }
    for (std::size_t i = 0; i < doc.size(); ++i)
      rows.push_back(json_row(*o.type, doc[i], i + 1, o));
    return rows;
  }
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start <= payload.size()) {
    std::size_t end = payload.find('\n', start);
    if (end == std::string_view::npos) end = payload.size();
    std::string_view line = payload.substr(start, end - start);
    ++line_no;
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      if (end == payload.size()) break;
      continue;
    }
    if (rows.size() >= o.max_rows) {
      return Error::invalid(o.source + ": more than " + std::to_string(o.max_rows) +
                            " records; split the payload");
    }
    auto parsed = parse_keeping_decimals(line);
    nlohmann::json v =
        parsed ? std::move(*parsed) : nlohmann::json(nlohmann::json::value_t::discarded);
    if (v.is_discarded()) {
      RawRow raw;
      raw.row = line_no;
      raw.line = line_no;
      raw.problems.push_back({line_no, line_no, {}, {}, {}, "is not valid JSON"});
      rows.push_back(std::move(raw));
    } else {
      RawRow raw = json_row(*o.type, v, line_no, o);
      raw.line = line_no;
      rows.push_back(std::move(raw));
    }
    if (end == payload.size()) break;
  }
  return rows;
}

std::string key_for_message(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out.append(out.empty() ? "" : "/").append(p);
  return out;
}

// True when `instance` was started with an input other than `input` (false when that
// cannot be told: the history is not readable through this store).
bool started_with_other_input(rt::EngineStore& engine_store, const rt::InstanceRecord& instance,
                              const nlohmann::json& input) {
  auto* reads = dynamic_cast<rt::ReadModel*>(&engine_store);
  if (reads == nullptr) return false;
  auto first = reads->history(instance.id, 0, 1);
  if (!first || first->empty()) return false;
  const nlohmann::json& event = first->front().data;
  return event.is_object() && event.value("type", std::string()) == "start" &&
         event.value("input", nlohmann::json()) != input;
}

// Starts the workflow for accepted records (see the header), at most `kInFlight` at once.
void start_workflows(const std::vector<const Record*>& accepted, const ImportOptions& o,
                     RecordStore& store, rt::Executor& executor, rt::EngineStore& engine_store,
                     ImportReport& report) {
  constexpr std::size_t kInFlight = 512;
  constexpr std::size_t kMaxStartErrors = 20;
  std::mutex mu;
  std::condition_variable cv;
  std::size_t in_flight = 0;
  std::map<std::string, nlohmann::json> parents;  // "type/key" -> workflow json (or null)
  auto note_error = [&](std::string message) {
    ++report.start_failed;
    if (report.start_errors.size() < kMaxStartErrors)
      report.start_errors.push_back(std::move(message));
  };
  for (const Record* record : accepted) {
    const std::string key = record->key_text();
    const RecordType& type = *record->type;
    nlohmann::json input = nlohmann::json::object();
    input[std::string(type.singular)] = to_workflow_json(type, record->data);
    bool ok = true;
    for (const ReferenceSpec& ref : type.references) {
      const RecordType* parent_type = find_record_type(ref.type);
      if (parent_type == nullptr || ref.columns.size() != parent_type->key.size()) continue;
      std::vector<std::string> parent_key;
      for (auto c : ref.columns) {
        auto it = record->data.find(std::string(c));
        if (it == record->data.end()) break;
        parent_key.push_back(it->is_string() ? it->get<std::string>() : it->dump());
      }
      if (parent_key.size() != ref.columns.size()) continue;
      const std::string cache_key = std::string(ref.type) + "/" + key_for_message(parent_key);
      auto cached = parents.find(cache_key);
      if (cached == parents.end()) {
        auto got = store.get(*parent_type, parent_key);
        if (!got) {
          std::lock_guard lock(mu);
          note_error(key + ": " + got.error().message);
          ok = false;
          break;
        }
        nlohmann::json value =
            got->has_value() ? to_workflow_json(*parent_type, (*got)->data) : nlohmann::json();
        cached = parents.emplace(cache_key, std::move(value)).first;
      }
      if (!cached->second.is_null()) input[std::string(parent_type->singular)] = cached->second;
    }
    if (!ok) continue;
    if (has_inline_lines(type)) {
      const RecordType& line_type = *find_record_type("invoice_lines");
      auto lines = store.by_key_prefix(line_type, record->key, kMaxInlineLines);
      if (!lines) {
        std::lock_guard lock(mu);
        note_error(key + ": " + lines.error().message);
        continue;
      }
      nlohmann::json& out = input[std::string(type.singular)]["lines"] = nlohmann::json::array();
      for (const auto& l : *lines) out.push_back(to_workflow_json(line_type, l.data));
    }
    auto existing = engine_store.instance_by_business_key(o.start_workflow, key);
    if (!existing) {
      std::lock_guard lock(mu);
      note_error(key + ": " + existing.error().message);
      continue;
    }
    if (existing->has_value()) {
      // Already started: by an earlier import of the same record (nothing to do), or by
      // someone else with other data, which the import must not hide.
      auto differs = started_with_other_input(engine_store, **existing, input);
      std::lock_guard lock(mu);
      if (differs) {
        ++report.key_conflicts;
        if (report.conflicts.size() < kMaxStartErrors) {
          report.conflicts.push_back(key + ": business key is held by instance " +
                                     (*existing)->id + " (started by '" +
                                     (*existing)->created_by + "') whose input differs from " +
                                     "this record");
        }
      } else {
        ++report.already_started;
      }
      continue;
    }
    rt::StartRequest request;
    request.workflow = o.start_workflow;
    request.input = std::move(input);
    request.business_key = key;
    request.actor = rt::Actor{o.user, o.roles};
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    executor.start(std::move(request), [&, key](Result<rt::InstanceRecord> r) {
      std::lock_guard lock(mu);
      if (r) {
        ++report.started;
      } else if (r.error().is(ErrorReason::business_key_taken)) {
        ++report.already_started;  // started concurrently by another import
      } else {
        note_error(key + ": " + r.error().message);
      }
      --in_flight;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
}

}  // namespace

std::optional<PayloadFormat> format_from_content_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t == "text/csv") return PayloadFormat::csv;
  if (t == "application/json") return PayloadFormat::json;
  if (t == "application/x-ndjson" || t == "application/ndjson" || t == "application/jsonl") {
    return PayloadFormat::ndjson;
  }
  return std::nullopt;
}

std::optional<PayloadFormat> format_from_file_name(std::string_view file) {
  auto ends = [&](std::string_view s) {
    return file.size() >= s.size() && file.substr(file.size() - s.size()) == s;
  };
  if (ends(".csv")) return PayloadFormat::csv;
  if (ends(".json")) return PayloadFormat::json;
  if (ends(".ndjson") || ends(".jsonl")) return PayloadFormat::ndjson;
  return std::nullopt;
}

nlohmann::json ImportReport::to_json() const {
  nlohmann::json errs = nlohmann::json::array();
  for (const auto& e : errors) {
    nlohmann::json j = {{"row", e.row}, {"reason", e.reason}};
    if (e.line != 0) j["line"] = e.line;
    if (!e.key.empty()) j["key"] = e.key;
    if (!e.column.empty()) j["column"] = e.column;
    if (!e.value.empty()) j["value"] = e.value;
    errs.push_back(std::move(j));
  }
  nlohmann::json out = {{"type", type},
                        {"rows", rows},
                        {"accepted", accepted},
                        {"rejected", rejected},
                        {"inserted", counts.inserted},
                        {"updated", counts.updated},
                        {"unchanged", counts.unchanged},
                        {"removed", counts.removed},
                        {"committed", committed},
                        {"error_count", error_count},
                        {"errors", std::move(errs)}};
  if (error_count > errors.size()) out["errors_truncated"] = true;
  if (started + already_started + start_failed + key_conflicts > 0) {
    out["workflows"] = {{"started", started},
                        {"already_started", already_started},
                        {"key_conflicts", key_conflicts},
                        {"conflicts", conflicts},
                        {"failed", start_failed},
                        {"errors", start_errors}};
  }
  return out;
}

Result<ImportReport> import_records(std::string_view payload, const ImportOptions& o,
                                    RecordStore& store, rt::Executor* executor) {
  if (o.type == nullptr) return Error::invalid("no record type given");
  const RecordType& type = *o.type;
  auto parsed =
      o.format == PayloadFormat::csv ? parse_csv_rows(payload, o) : parse_json_rows(payload, o);
  if (!parsed) return parsed.error();
  std::vector<RawRow>& rows = *parsed;

  ImportReport report;
  report.type = std::string(type.name);
  report.rows = rows.size();
  Report errors(report);

  // Validate every row (and its inline lines).
  const RecordType& line_type = *find_record_type("invoice_lines");
  std::vector<std::optional<Record>> records(rows.size());
  std::vector<std::vector<Record>> children(rows.size());
  std::vector<bool> bad(rows.size(), false);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    RawRow& raw = rows[i];
    std::vector<RowProblem> problems;
    if (raw.problems.empty()) {
      records[i] = validate_row(type, raw.cells, problems);
      for (std::size_t c = 0; records[i] && c < raw.children.size(); ++c) {
        RowCells cells = raw.children[c];
        std::vector<RowProblem> child_problems;
        // A line of this invoice: an invoice_id of its own must be this one (validate_row
        // takes the first cell of a name, so a different one would file the line elsewhere).
        if (const std::string* own = cells.find("invoice_id");
            own != nullptr && !own->empty() && *own != records[i]->key.front()) {
          child_problems.push_back(
              {"invoice_id", *own, "names another invoice than " + records[i]->key.front()});
        }
        cells.cells.emplace_back("invoice_id", records[i]->key.front());
        auto line = validate_row(line_type, cells, child_problems);
        for (auto& p : child_problems) {
          p.column = "lines[" + std::to_string(c) + "]." + p.column;
          problems.push_back(std::move(p));
        }
        if (line) {
          line->row = raw.row;
          children[i].push_back(std::move(*line));
        }
      }
    }
    const std::string key = records[i] ? records[i]->key_text() : std::string();
    for (auto& p : raw.problems) {
      p.row = raw.row;
      p.line = raw.line;
      errors.add(std::move(p));
    }
    for (auto& p : problems) {
      errors.add(
          {raw.row, raw.line, key, std::move(p.column), std::move(p.value), std::move(p.reason)});
    }
    bad[i] = !raw.problems.empty() || !problems.empty() || !records[i];
    if (records[i]) {
      records[i]->row = raw.row;
      records[i]->line = raw.line;
    }
  }

  // Keys must be unique inside one payload: every occurrence of a repeated key is refused
  // (neither copy can be trusted to be the right one).
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (records[i]) by_key[records[i]->key_text()].push_back(i);
  }
  for (const auto& [key, where] : by_key) {
    if (where.size() < 2) continue;
    std::string list;
    for (std::size_t i : where)
      list.append(list.empty() ? "" : ", ").append(std::to_string(rows[i].row));
    for (std::size_t i : where) {
      bad[i] = true;
      errors.add({rows[i].row,
                  rows[i].line,
                  key,
                  {},
                  {},
                  "key " + key + " appears more than once in this payload (rows " + list + ")"});
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::set<std::string> line_keys;
    for (const auto& line : children[i]) {
      if (!line_keys.insert(line.key_text()).second) {
        bad[i] = true;
        errors.add({rows[i].row,
                    rows[i].line,
                    records[i]->key_text(),
                    "lines",
                    {},
                    "line " + line.key.back() + " appears more than once"});
      }
    }
  }

  // References: to records in the store (other types only, so never to this payload).
  std::map<std::string, bool> known;  // "type/key prefix" -> exists
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (bad[i] || !records[i]) continue;
    const Record& rec = *records[i];
    for (const ReferenceSpec& ref : type.references) {
      std::vector<std::string> prefix;
      for (auto c : ref.columns) {
        auto it = rec.data.find(std::string(c));
        if (it == rec.data.end()) break;
        prefix.push_back(it->is_string() ? it->get<std::string>() : it->dump());
      }
      if (prefix.size() != ref.columns.size()) continue;  // an optional reference left empty
      const RecordType* target = find_record_type(ref.type);
      const std::string cache_key = std::string(ref.type) + "/" + key_for_message(prefix);
      auto hit = known.find(cache_key);
      if (hit == known.end()) {
        auto exists = store.exists(*target, prefix);
        if (!exists) return exists.error();
        hit = known.emplace(cache_key, *exists).first;
      }
      if (!hit->second) {
        bad[i] = true;
        errors.add({rec.row, rec.line, rec.key_text(), std::string(ref.columns.front()),
                    key_for_message(prefix),
                    "refers to " + std::string(target->singular) + " " + key_for_message(prefix) +
                        ", which is not in " + std::string(ref.type) + " (import " +
                        std::string(ref.type) + " first)"});
      }
    }
  }

  std::vector<Record> batch;
  std::vector<const Record*> accepted;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (bad[i]) {
      ++report.rejected;
      continue;
    }
    ++report.accepted;
  }
  batch.reserve(report.accepted);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (bad[i]) continue;
    if (rows[i].inline_lines) {
      records[i]->inline_line_nos.emplace();
      for (const auto& line : children[i]) {
        records[i]->inline_line_nos->push_back(line.data.value("line_no", std::int64_t{0}));
      }
    }
    batch.push_back(std::move(*records[i]));
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (bad[i]) continue;
    for (auto& line : children[i]) batch.push_back(std::move(line));
  }
  std::stable_sort(report.errors.begin(), report.errors.end(),
                   [](const ImportError& a, const ImportError& b) { return a.row < b.row; });

  if (o.dry_run || batch.empty() || (o.all_or_nothing && report.rejected > 0)) {
    if (o.all_or_nothing && report.rejected > 0) report.accepted = 0;
    return report;
  }
  auto counts = store.upsert(batch, o.user, o.now_us);
  if (!counts) return counts.error();
  report.counts = *counts;
  report.committed = true;

  if (!o.start_workflow.empty() && executor != nullptr) {
    for (const Record& r : batch) {
      if (r.type == &type) accepted.push_back(&r);
    }
    start_workflows(accepted, o, store, *executor, executor->store(), report);
  }
  return report;
}

}  // namespace ledgerflow::records
