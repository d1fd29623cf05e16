#include "storage/sqlite/store_reader.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <variant>

#include "storage/sqlite/json_text.h"

namespace ledgerflow::storage {
namespace {

using Param = std::variant<std::int64_t, std::string>;

std::string q(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::int64_t capped(std::size_t limit) {
  return static_cast<std::int64_t>(std::min(limit, kMaxListLimit));
}

// ---- columns and decoders (column order = the SELECT lists below)

constexpr std::string_view kDefinitionColumns =
    "SELECT name, version, hash, format, source, created_at_us, created_by FROM definitions";

Result<rt::DefinitionRecord> decode_definition(const Statement& s) {
  rt::DefinitionRecord d;
  d.name = s.column_text(0);
  d.version = static_cast<int>(s.column_int(1));
  d.hash = s.column_text(2);
  d.format = s.column_text(3);
  d.source = s.column_text(4);
  d.created_at_us = s.column_int(5);
  d.created_by = s.column_text(6);
  return d;
}

constexpr std::string_view kInstanceColumns =
    "SELECT id, workflow, version, status, business_key, created_by, parent_id, created_at_us, "
    "updated_at_us, seq, row_version, state FROM instances";

Result<rt::InstanceRecord> decode_instance(const Statement& s) {
  rt::InstanceRecord i;
  i.id = s.column_text(0);
  i.workflow = s.column_text(1);
  i.version = static_cast<int>(s.column_int(2));
  const std::string status = s.column_text(3);
  const auto parsed = rt::instance_status_from(status);
  if (!parsed) {
    return Error{ErrorCode::corruption,
                 "instance " + q(i.id) + " has an unknown status " + q(status)};
  }
  i.status = *parsed;
  i.business_key = s.column_text(4);
  i.created_by = s.column_text(5);
  i.parent_id = s.column_text(6);
  i.created_at_us = s.column_int(7);
  i.updated_at_us = s.column_int(8);
  i.seq = static_cast<std::uint64_t>(s.column_int(9));
  i.row_version = static_cast<std::uint64_t>(s.column_int(10));
  auto state = json_value(s.column_text(11), "the state of instance " + q(i.id));
  if (!state) return state.error();
  i.state = std::move(*state);
  return i;
}

constexpr std::string_view kHistoryColumns =
    "SELECT instance_id, seq, at_us, type, state, actor, data FROM history";

Result<rt::HistoryRecord> decode_history(const Statement& s) {
  rt::HistoryRecord h;
  h.instance_id = s.column_text(0);
  h.seq = static_cast<std::uint64_t>(s.column_int(1));
  h.at_us = s.column_int(2);
  h.type = s.column_text(3);
  h.state = s.column_text(4);
  h.actor = s.column_text(5);
  auto data = json_value(s.column_text(6), "history data of instance " + q(h.instance_id) +
                                               " seq " + std::to_string(h.seq));
  if (!data) return data.error();
  h.data = std::move(*data);
  return h;
}

constexpr std::string_view kTaskColumns =
    "SELECT id, instance_id, workflow, state, status, title, candidate_roles, candidate_users, "
    "assignee, due_at_us, created_at_us, completed_at_us, outcome, detail FROM tasks";

Result<std::vector<std::string>> decode_names(const std::string& text, const std::string& what) {
  auto value = json_value(text, what);
  if (!value) return value.error();
  std::vector<std::string> names;
  if (!value->is_array()) return Error{ErrorCode::corruption, what + " is not a JSON array"};
  for (const auto& name : *value) {
    if (!name.is_string()) return Error{ErrorCode::corruption, what + " holds a non-string"};
    names.push_back(name.get<std::string>());
  }
  return names;
}

std::optional<std::int64_t> optional_int(const Statement& s, int col) {
  if (s.column_is_null(col)) return std::nullopt;
  return s.column_int(col);
}

Result<rt::TaskRecord> decode_task(const Statement& s) {
  rt::TaskRecord t;
  t.id = s.column_text(0);
  t.instance_id = s.column_text(1);
  t.workflow = s.column_text(2);
  t.state = s.column_text(3);
  const std::string status = s.column_text(4);
  const auto parsed = rt::task_status_from(status);
  if (!parsed) {
    return Error{ErrorCode::corruption, "task " + q(t.id) + " has an unknown status " + q(status)};
  }
  t.status = *parsed;
  t.title = s.column_text(5);
  auto roles = decode_names(s.column_text(6), "the candidate roles of task " + q(t.id));
  if (!roles) return roles.error();
  t.candidate_roles = std::move(*roles);
  auto users = decode_names(s.column_text(7), "the candidate users of task " + q(t.id));
  if (!users) return users.error();
  t.candidate_users = std::move(*users);
  t.assignee = s.column_text(8);
  t.due_at_us = optional_int(s, 9);
  t.created_at_us = s.column_int(10);
  t.completed_at_us = optional_int(s, 11);
  t.outcome = s.column_text(12);
  auto detail = json_value(s.column_text(13), "the detail of task " + q(t.id));
  if (!detail) return detail.error();
  t.detail = std::move(*detail);
  return t;
}

constexpr std::string_view kTimerColumns = "SELECT id, instance_id, due_at_us, payload FROM timers";

Result<rt::TimerRecord> decode_timer(const Statement& s) {
  rt::TimerRecord t;
  t.id = s.column_text(0);
  t.instance_id = s.column_text(1);
  t.due_at_us = s.column_int(2);
  auto payload = json_value(s.column_text(3), "the payload of timer " + q(t.id));
  if (!payload) return payload.error();
  t.payload = std::move(*payload);
  return t;
}

constexpr std::string_view kOutboxColumns =
    "SELECT id, instance_id, kind, created_at_us, payload FROM outbox";

Result<rt::OutboxRecord> decode_outbox(const Statement& s) {
  rt::OutboxRecord o;
  o.id = s.column_text(0);
  o.instance_id = s.column_text(1);
  o.kind = s.column_text(2);
  o.created_at_us = s.column_int(3);
  auto payload = json_value(s.column_text(4), "the payload of outbox entry " + q(o.id));
  if (!payload) return payload.error();
  o.payload = std::move(*payload);
  return o;
}

constexpr std::string_view kIdempotencyColumns =
    "SELECT key, request_hash, instance_id, response, created_at_us FROM idempotency_keys";

Result<rt::IdempotencyRecord> decode_idempotency(const Statement& s) {
  rt::IdempotencyRecord k;
  k.key = s.column_text(0);
  k.request_hash = s.column_text(1);
  k.instance_id = s.column_text(2);
  auto response = json_value(s.column_text(3), "the response of idempotency key " + q(k.key));
  if (!response) return response.error();
  k.response = std::move(*response);
  k.created_at_us = s.column_int(4);
  return k;
}

constexpr std::string_view kEventColumns =
    "SELECT seq, at_us, kind, instance_id, task_id, payload FROM events";

Result<rt::EventRecord> decode_event(const Statement& s) {
  rt::EventRecord e;
  e.seq = static_cast<std::uint64_t>(s.column_int(0));
  e.at_us = s.column_int(1);
  e.kind = s.column_text(2);
  e.instance_id = s.column_text(3);
  e.task_id = s.column_text(4);
  auto payload = json_value(s.column_text(5), "the payload of event " + std::to_string(e.seq));
  if (!payload) return payload.error();
  e.payload = std::move(*payload);
  return e;
}

// ---- running queries

// SQL text plus its parameters, bound in order to ?1, ?2, ...
struct Query {
  std::string sql;
  std::vector<Param> params;

  Query(std::string_view select, std::string_view rest, std::vector<Param> p)
      : sql(std::string(select) + " " + std::string(rest)), params(std::move(p)) {}
};

void bind_all(Statement& s, const std::vector<Param>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
      s.bind_int(index, *n);
    } else {
      s.bind_text(index, std::get<std::string>(params[i]));
    }
  }
}

template <typename Record>
using Decoder = Result<Record> (*)(const Statement&);

template <typename Record>
Result<std::vector<Record>> query_rows(Connection& db, const Query& query, Decoder<Record> decode,
                                       std::string_view doing) {
  auto st = db.prepare(query.sql);
  if (!st) return st.error();
  Statement& s = st->get();
  bind_all(s, query.params);
  std::vector<Record> rows;
  for (;;) {
    const int rc = s.step();
    if (rc == SQLITE_DONE) return rows;
    if (rc != SQLITE_ROW) return db.error(rc, doing);
    auto row = decode(s);
    if (!row) return row.error();
    rows.push_back(std::move(*row));
  }
}

template <typename Record>
Result<std::optional<Record>> query_one(Connection& db, const Query& query, Decoder<Record> decode,
                                        std::string_view doing) {
  auto rows = query_rows(db, query, decode, doing);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Record>();
  return std::optional<Record>(std::move(rows->front()));
}

template <typename T>
Result<T> required(Result<std::optional<T>> found, const std::string& what) {
  if (!found) return found.error();
  if (!*found) return Error{ErrorCode::not_found, what + " not found"};
  return std::move(**found);
}

}  // namespace

Result<rt::DefinitionRecord> StoreReader::definition(const std::string& name, int version) {
  const std::string what =
      "definition " + q(name) +
      (version == 0 ? std::string(" (latest)") : " version " + std::to_string(version));
  if (version == 0) {
    Query query(kDefinitionColumns, "WHERE name = ?1 ORDER BY version DESC LIMIT 1", {name});
    return required(query_one(db_, query, decode_definition, "reading " + what), what);
  }
  Query query(kDefinitionColumns, "WHERE name = ?1 AND version = ?2",
              {name, std::int64_t{version}});
  return required(query_one(db_, query, decode_definition, "reading " + what), what);
}

Result<rt::DefinitionRecord> StoreReader::definition_by_hash(const std::string& name,
                                                             const std::string& hash) {
  const std::string what = "definition " + q(name) + " with hash " + q(hash);
  Query query(kDefinitionColumns, "WHERE name = ?1 AND hash = ?2 ORDER BY version LIMIT 1",
              {name, hash});
  return required(query_one(db_, query, decode_definition, "reading " + what), what);
}

Result<std::vector<rt::DefinitionRecord>> StoreReader::definitions() {
  Query query(kDefinitionColumns, "ORDER BY name, version", {});
  return query_rows(db_, query, decode_definition, "listing definitions");
}

Result<rt::InstanceRecord> StoreReader::instance(const std::string& id) {
  const std::string what = "instance " + q(id);
  Query query(kInstanceColumns, "WHERE id = ?1", {id});
  return required(query_one(db_, query, decode_instance, "reading " + what), what);
}

Result<std::optional<rt::InstanceRecord>> StoreReader::instance_by_business_key(
    const std::string& workflow, const std::string& key) {
  if (key.empty()) return std::optional<rt::InstanceRecord>();  // empty = no business key
  Query query(kInstanceColumns, "WHERE business_key = ?2 AND workflow = ?1 AND business_key != ''",
              {workflow, key});
  return query_one(
      db_, query, decode_instance,
      "reading the instance of workflow " + q(workflow) + " with business key " + q(key));
}

Result<std::vector<rt::InstanceRecord>> StoreReader::instances(const rt::InstanceFilter& f) {
  if (f.limit == 0) return std::vector<rt::InstanceRecord>{};
  std::string where = "WHERE 1";
  std::vector<Param> params;
  auto clause = [&](std::string_view sql, Param value) {
    params.push_back(std::move(value));
    where.append(" AND ").append(sql).append(" ?").append(std::to_string(params.size()));
  };
  if (!f.workflow.empty()) clause("workflow =", f.workflow);
  if (f.status) clause("status =", std::string(rt::to_string(*f.status)));
  if (!f.business_key.empty()) {
    clause("business_key =", f.business_key);
    where.append(" AND business_key != ''");  // lets the partial unique index serve it
  }
  if (f.created_after_us) clause("created_at_us >", *f.created_after_us);
  if (!f.after_id.empty()) clause("id >", f.after_id);
  params.emplace_back(capped(f.limit));
  where.append(" ORDER BY id LIMIT ?").append(std::to_string(params.size()));
  return query_rows(db_, Query(kInstanceColumns, where, std::move(params)), decode_instance,
                    "listing instances");
}

Result<std::vector<rt::InstanceRecord>> StoreReader::unfinished_instances() {
  Query query(kInstanceColumns, "WHERE status IN ('running', 'waiting') ORDER BY id", {});
  return query_rows(db_, query, decode_instance, "listing unfinished instances");
}

Result<std::vector<rt::HistoryRecord>> StoreReader::history(const std::string& instance_id,
                                                            std::uint64_t after_seq,
                                                            std::size_t limit) {
  Query query(kHistoryColumns, "WHERE instance_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
              {instance_id, static_cast<std::int64_t>(after_seq), capped(limit)});
  return query_rows(db_, query, decode_history,
                    "reading the history of instance " + q(instance_id));
}

Result<rt::TaskRecord> StoreReader::task(const std::string& id) {
  const std::string what = "task " + q(id);
  Query query(kTaskColumns, "WHERE id = ?1", {id});
  return required(query_one(db_, query, decode_task, "reading " + what), what);
}

Result<std::vector<rt::TaskRecord>> StoreReader::tasks(const rt::TaskFilter& f) {
  if (f.limit == 0) return std::vector<rt::TaskRecord>{};
  std::string where = "WHERE 1";
  std::vector<Param> params;
  auto param = [&](Param value) {
    params.push_back(std::move(value));
    return "?" + std::to_string(params.size());
  };
  if (f.status) where += " AND status = " + param(std::string(rt::to_string(*f.status)));
  if (!f.instance_id.empty()) where += " AND instance_id = " + param(f.instance_id);
  // The inbox: candidate by user, by any of the roles, or the assignee. Each branch is an
  // index lookup (task_candidates' primary key, tasks_assignee); IN removes duplicates.
  std::vector<std::string> inbox;
  if (!f.candidate_user.empty()) {
    const std::string user = param(f.candidate_user);
    inbox.push_back("SELECT task_id FROM task_candidates WHERE kind = 'user' AND name = " + user);
    inbox.push_back("SELECT id FROM tasks WHERE assignee = " + user);
  }
  if (!f.candidate_roles.empty()) {
    auto roles = json_text(nlohmann::json(f.candidate_roles), "the candidate roles filter");
    if (!roles) return roles.error();
    inbox.push_back(
        "SELECT task_id FROM task_candidates WHERE kind = 'role' AND name IN "
        "(SELECT value FROM json_each(" +
        param(std::move(*roles)) + "))");
  }
  if (!inbox.empty()) {
    where += " AND id IN (";
    for (std::size_t i = 0; i < inbox.size(); ++i) {
      where += (i == 0 ? "" : " UNION ALL ") + inbox[i];
    }
    where += ")";
  }
  if (!f.after_id.empty()) where += " AND id > " + param(f.after_id);
  where += " ORDER BY id LIMIT " + param(capped(f.limit));
  return query_rows(db_, Query(kTaskColumns, where, std::move(params)), decode_task,
                    "listing tasks");
}

Result<std::vector<rt::TimerRecord>> StoreReader::timers_due(std::int64_t now_us,
                                                             std::size_t limit) {
  Query query(kTimerColumns, "WHERE due_at_us <= ?1 ORDER BY due_at_us, id LIMIT ?2",
              {now_us, capped(limit)});
  return query_rows(db_, query, decode_timer, "listing due timers");
}

Result<std::optional<std::int64_t>> StoreReader::next_timer_due() {
  auto st = db_.prepare("SELECT min(due_at_us) FROM timers");
  if (!st) return st.error();
  Statement& s = st->get();
  const int rc = s.step();
  if (rc != SQLITE_ROW) return db_.error(rc, "reading the next timer due");
  return optional_int(s, 0);
}

Result<std::vector<rt::OutboxRecord>> StoreReader::outbox(std::size_t limit) {
  Query query(kOutboxColumns, "ORDER BY created_at_us, id LIMIT ?1", {capped(limit)});
  return query_rows(db_, query, decode_outbox, "listing the outbox");
}

Result<std::vector<rt::TimerRecord>> StoreReader::timers_page(std::int64_t after_due_us,
                                                              const std::string& after_id,
                                                              std::size_t limit) {
  Query query(
      kTimerColumns,
      "WHERE due_at_us > ?1 OR (due_at_us = ?1 AND id > ?2) ORDER BY due_at_us, id LIMIT ?3",
      {after_due_us, after_id, capped(limit)});
  return query_rows(db_, query, decode_timer, "paging timers");
}

Result<std::vector<rt::OutboxRecord>> StoreReader::outbox_page(std::int64_t after_created_us,
                                                               const std::string& after_id,
                                                               std::size_t limit) {
  Query query(kOutboxColumns,
              "WHERE created_at_us > ?1 OR (created_at_us = ?1 AND id > ?2) ORDER BY "
              "created_at_us, id LIMIT ?3",
              {after_created_us, after_id, capped(limit)});
  return query_rows(db_, query, decode_outbox, "paging the outbox");
}

Result<std::optional<rt::IdempotencyRecord>> StoreReader::idempotency(const std::string& key) {
  Query query(kIdempotencyColumns, "WHERE key = ?1", {key});
  return query_one(db_, query, decode_idempotency, "reading idempotency key " + q(key));
}

Result<std::vector<rt::EventRecord>> StoreReader::events_after(std::uint64_t seq,
                                                               std::size_t limit) {
  Query query(kEventColumns, "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
              {static_cast<std::int64_t>(seq), capped(limit)});
  return query_rows(db_, query, decode_event, "reading events");
}

Result<std::uint64_t> StoreReader::latest_event_seq() {
  // The last row of the INTEGER PRIMARY KEY b-tree: one seek, however long the feed.
  auto seq = db_.query_int("SELECT coalesce(max(seq), 0) FROM events", "reading the newest event");
  if (!seq) return seq.error();
  return static_cast<std::uint64_t>(*seq);
}

// ---- dashboard aggregates (GET /v1/stats)

namespace {

// Runs `sql` with `params` and calls on_row(statement) for each row.
template <typename OnRow>
Result<void> each_row(Connection& db, std::string_view sql, const std::vector<Param>& params,
                      OnRow on_row, std::string_view doing) {
  auto st = db.prepare(sql);
  if (!st) return st.error();
  Statement& s = st->get();
  bind_all(s, params);
  return db.each_row(s, doing, on_row);
}

constexpr std::int64_t kMinuteUs = 60'000'000;

}  // namespace

Result<rt::ActivitySummary> StoreReader::activity_summary(std::int64_t now_us,
                                                          std::int64_t since_us) {
  rt::ActivitySummary out;
  // Index-only scan of instances_workflow (workflow, status, id).
  auto statuses = each_row(
      db_, "SELECT workflow, status, count(*) FROM instances GROUP BY workflow, status", {},
      [&](const Statement& s) {
        out.statuses.push_back({s.column_text(0), s.column_text(1), s.column_int(2)});
      },
      "counting instances by workflow and status");
  if (!statuses) return statuses.error();
  // The root frame (the one without a parent) holds the state an instance is in.
  auto states = each_row(
      db_,
      "SELECT i.workflow, i.version, json_extract(f.value, '$.state'), count(*) "
      "FROM instances i, json_each(i.state, '$.frames') f "
      "WHERE i.status IN ('running', 'waiting') AND json_type(f.value, '$.parent') IS NULL "
      "GROUP BY 1, 2, 3",
      {},
      [&](const Statement& s) {
        out.states.push_back({s.column_text(0), static_cast<int>(s.column_int(1)), s.column_text(2),
                              s.column_int(3)});
      },
      "counting unfinished instances by state");
  if (!states) return states.error();
  auto tasks = each_row(
      db_,
      "SELECT workflow, count(*), sum(due_at_us IS NOT NULL AND due_at_us < ?1) FROM tasks "
      "WHERE status = 'open' GROUP BY workflow",
      {now_us},
      [&](const Statement& s) {
        out.tasks.push_back({s.column_text(0), s.column_int(1), s.column_int(2)});
      },
      "counting open tasks");
  if (!tasks) return tasks.error();
  std::map<std::int64_t, rt::ActivitySummary::Minute> minutes;
  auto started = each_row(
      db_,
      "SELECT (created_at_us - ?1) / ?2, count(*) FROM instances WHERE created_at_us >= ?1 "
      "GROUP BY 1",
      {since_us, kMinuteUs},
      [&](const Statement& s) {
        auto& m = minutes[s.column_int(0)];
        m.minute = s.column_int(0);
        m.started = s.column_int(1);
      },
      "counting recent starts");
  if (!started) return started.error();
  // Finished instances are not indexed by finish time: this reads the finished rows of
  // instances_status once.
  auto finished = each_row(
      db_,
      "SELECT (updated_at_us - ?1) / ?2, status, count(*) FROM instances "
      "WHERE status IN ('succeeded', 'failed', 'cancelled') AND updated_at_us >= ?1 "
      "GROUP BY 1, 2",
      {since_us, kMinuteUs},
      [&](const Statement& s) {
        auto& m = minutes[s.column_int(0)];
        m.minute = s.column_int(0);
        const std::string status = s.column_text(1);
        const std::int64_t n = s.column_int(2);
        if (status == "succeeded") m.succeeded = n;
        if (status == "failed") m.failed = n;
        if (status == "cancelled") m.cancelled = n;
      },
      "counting recent finishes");
  if (!finished) return finished.error();
  for (auto& [minute, m] : minutes) out.minutes.push_back(m);
  auto failures = each_row(
      db_,
      "SELECT id, workflow, business_key, updated_at_us, "
      "coalesce(json_extract(state, '$.error'), ''), "
      "coalesce(json_extract(state, '$.error_message'), '') "
      "FROM instances WHERE status = 'failed' ORDER BY id DESC LIMIT ?1",
      {static_cast<std::int64_t>(rt::ActivitySummary::kMaxRecentFailures)},
      [&](const Statement& s) {
        out.failures.push_back({s.column_text(0), s.column_text(1), s.column_text(2),
                                s.column_int(3), s.column_text(4), s.column_text(5)});
      },
      "listing recent failures");
  if (!failures) return failures.error();
  return out;
}

}  // namespace ledgerflow::storage
