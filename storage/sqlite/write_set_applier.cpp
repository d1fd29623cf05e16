#include "storage/sqlite/write_set_applier.h"

#include <sqlite3.h>

#include "storage/sqlite/outcome_rows.h"

namespace ledgerflow::storage {
namespace {

std::string q(std::string_view s) {
  return "'" + std::string(s) + "'";
}

bool is_duplicate(int rc) {
  return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

constexpr const char* kInsertDefinition =
    "INSERT INTO definitions (name, version, hash, format, source, created_at_us, created_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

constexpr const char* kInsertInstance =
    "INSERT INTO instances (id, workflow, version, status, business_key, created_by, parent_id, "
    "created_at_us, updated_at_us, seq, row_version, state) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

constexpr const char* kUpdateInstance =
    "UPDATE instances SET workflow = ?2, version = ?3, status = ?4, business_key = ?5, "
    "created_by = ?6, parent_id = ?7, created_at_us = ?8, updated_at_us = ?9, seq = ?10, "
    "row_version = ?11, state = ?12 WHERE id = ?1 AND row_version = ?13";

constexpr const char* kSelectRowVersion = "SELECT row_version FROM instances WHERE id = ?1";

constexpr const char* kHistoryExists = "SELECT 1 FROM history WHERE instance_id = ?1 AND seq = ?2";

constexpr const char* kInsertHistory =
    "INSERT INTO history (instance_id, seq, at_us, type, state, actor, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

constexpr const char* kUpsertTask =
    "INSERT INTO tasks (id, instance_id, workflow, state, status, title, candidate_roles, "
    "candidate_users, assignee, due_at_us, created_at_us, completed_at_us, outcome, detail) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
    "ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, "
    "workflow = excluded.workflow, state = excluded.state, status = excluded.status, "
    "title = excluded.title, candidate_roles = excluded.candidate_roles, "
    "candidate_users = excluded.candidate_users, assignee = excluded.assignee, "
    "due_at_us = excluded.due_at_us, created_at_us = excluded.created_at_us, "
    "completed_at_us = excluded.completed_at_us, outcome = excluded.outcome, "
    "detail = excluded.detail";

constexpr const char* kDeleteCandidates = "DELETE FROM task_candidates WHERE task_id = ?1";

constexpr const char* kInsertCandidate =
    "INSERT OR IGNORE INTO task_candidates (kind, name, task_id) VALUES (?1, ?2, ?3)";

constexpr const char* kUpsertTimer =
    "INSERT INTO timers (id, instance_id, due_at_us, payload) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id, "
    "due_at_us = excluded.due_at_us, payload = excluded.payload";

constexpr const char* kDeleteTimer = "DELETE FROM timers WHERE id = ?1";

constexpr const char* kInsertOutbox =
    "INSERT INTO outbox (id, instance_id, kind, created_at_us, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

constexpr const char* kDeleteOutbox = "DELETE FROM outbox WHERE id = ?1";

constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency_keys (key, request_hash, instance_id, response, created_at_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

constexpr const char* kInsertEvent =
    "INSERT INTO events (at_us, kind, instance_id, task_id, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

}  // namespace

template <typename Describe>
Result<void> WriteSetApplier::finish(Statement& st, Describe&& describe) {
  const int rc = st.step();
  if (rc == SQLITE_DONE) return {};
  return db_.error(rc, describe(rc));
}

Result<void> WriteSetApplier::apply(const EncodedWriteSet& ews) {
  if (ews.error) return *ews.error;
  const rt::WriteSet& ws = ews.records;
  for (const auto& d : ws.definitions) {
    if (auto r = insert_definition(d); !r) return r;
  }
  for (std::size_t i = 0; i < ws.instances.size(); ++i) {
    auto r = write_instance(ws.instances[i], ews.instance_state[i], ws.expected_row_versions[i]);
    if (!r) return r;
  }
  for (std::size_t i = 0; i < ws.history.size(); ++i) {
    // Rows of one instance usually come in a run: seq n+1 right after seq n needs no
    // lookup for n (it was inserted just now); only the first of a run is checked.
    const bool follows = i > 0 && ws.history[i - 1].instance_id == ws.history[i].instance_id &&
                         ws.history[i - 1].seq + 1 == ws.history[i].seq;
    if (auto r = append_history(ws.history[i], ews.history_data[i], follows); !r) return r;
  }
  for (std::size_t i = 0; i < ws.tasks.size(); ++i) {
    auto r = upsert_task(ws.tasks[i], ews.task_roles[i], ews.task_users[i], ews.task_detail[i]);
    if (!r) return r;
  }
  for (const auto& id : ws.timers_deleted) {
    if (auto r = delete_by_id(kDeleteTimer, id, "timer"); !r) return r;
  }
  for (std::size_t i = 0; i < ws.timers.size(); ++i) {
    if (auto r = upsert_timer(ws.timers[i], ews.timer_payload[i]); !r) return r;
  }
  for (const auto& id : ws.outbox_done) {
    if (auto r = delete_by_id(kDeleteOutbox, id, "outbox entry"); !r) return r;
  }
  for (std::size_t i = 0; i < ws.outbox.size(); ++i) {
    if (auto r = insert_outbox(ws.outbox[i], ews.outbox_payload[i]); !r) return r;
  }
  for (std::size_t i = 0; i < ws.idempotency.size(); ++i) {
    if (auto r = insert_idempotency(ws.idempotency[i], ews.idempotency_response[i]); !r) return r;
  }
  for (std::size_t i = 0; i < ws.events.size(); ++i) {
    if (auto r = append_event(ws.events[i], ews.event_payload[i]); !r) return r;
  }
  for (const auto& o : ws.outcomes) {
    if (auto r = insert_outcome(db_, o); !r) return r;
  }
  return {};
}

Result<void> WriteSetApplier::insert_definition(const rt::DefinitionRecord& d) {
  auto st = db_.prepare(kInsertDefinition);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, d.name);
  s.bind_int(2, d.version);
  s.bind_text(3, d.hash);
  s.bind_text(4, d.format);
  s.bind_text(5, d.source);
  s.bind_int(6, d.created_at_us);
  s.bind_text(7, d.created_by);
  return finish(s, [&](int rc) {
    const std::string what = "definition " + q(d.name) + " version " + std::to_string(d.version);
    return is_duplicate(rc) ? what + " already exists" : "inserting " + what;
  });
}

Result<void> WriteSetApplier::write_instance(const rt::InstanceRecord& i, const std::string& state,
                                             std::uint64_t expected_row_version) {
  const bool insert = expected_row_version == 0;
  auto st = db_.prepare(insert ? kInsertInstance : kUpdateInstance);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, i.id);
  s.bind_text(2, i.workflow);
  s.bind_int(3, i.version);
  s.bind_text(4, rt::to_string(i.status));
  s.bind_text(5, i.business_key);
  s.bind_text(6, i.created_by);
  s.bind_text(7, i.parent_id);
  s.bind_int(8, i.created_at_us);
  s.bind_int(9, i.updated_at_us);
  s.bind_int(10, static_cast<std::int64_t>(i.seq));
  s.bind_int(11, static_cast<std::int64_t>(expected_row_version + 1));
  s.bind_text(12, state);
  if (!insert) s.bind_int(13, static_cast<std::int64_t>(expected_row_version));
  ErrorReason reason = ErrorReason::none;
  auto done = finish(s, [&](int rc) -> std::string {
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return "instance " + q(i.id) + " already exists (expected_row_version 0 means a new one)";
    }
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
      reason = ErrorReason::business_key_taken;
      return "business key " + q(i.business_key) + " is already used in workflow " + q(i.workflow) +
             " (writing instance " + q(i.id) + ")";
    }
    return (insert ? "inserting instance " : "updating instance ") + q(i.id);
  });
  if (!done) return Error(done.error()).with_reason(reason);
  if (!insert && db_.changes() == 0) return explain_stale_instance(i.id, expected_row_version);
  return {};
}

// The UPDATE matched no row: find out why, for a message that says what conflicted.
Result<void> WriteSetApplier::explain_stale_instance(const std::string& id,
                                                     std::uint64_t expected_row_version) {
  auto st = db_.prepare(kSelectRowVersion);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, id);
  const int rc = s.step();
  const std::string expected = std::to_string(expected_row_version);
  if (rc == SQLITE_DONE) {
    return Error{
        ErrorCode::not_found,
        "instance " + q(id) + " does not exist (update expected row_version " + expected + ")"};
  }
  if (rc != SQLITE_ROW) return db_.error(rc, "reading the row_version of instance " + q(id));
  return Error{ErrorCode::conflict, "instance " + q(id) + " was changed concurrently: expected " +
                                        "row_version " + expected + ", stored " +
                                        std::to_string(s.column_int(0))};
}

Result<void> WriteSetApplier::append_history(const rt::HistoryRecord& h, const std::string& data,
                                             bool previous_just_inserted) {
  auto what = [&] {
    return "history of instance " + q(h.instance_id) + " seq " + std::to_string(h.seq);
  };
  if (h.seq == 0) return Error::invalid(what() + ": history seq is 1-based");
  if (h.seq > 1 && !previous_just_inserted) {  // no gaps: seq - 1 must be stored already
    auto st = db_.prepare(kHistoryExists);
    if (!st) return st.error();
    Statement& s = st->get();
    s.bind_text(1, h.instance_id);
    s.bind_int(2, static_cast<std::int64_t>(h.seq - 1));
    const int rc = s.step();
    if (rc == SQLITE_DONE) {
      return Error::invalid(what() + " would leave a gap: seq " + std::to_string(h.seq - 1) +
                            " is not stored");
    }
    if (rc != SQLITE_ROW) return db_.error(rc, "checking " + what());
  }
  auto st = db_.prepare(kInsertHistory);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, h.instance_id);
  s.bind_int(2, static_cast<std::int64_t>(h.seq));
  s.bind_int(3, h.at_us);
  s.bind_text(4, h.type);
  s.bind_text(5, h.state);
  s.bind_text(6, h.actor);
  s.bind_text(7, data);
  return finish(s, [&](int rc) -> std::string {
    if (is_duplicate(rc)) return what() + " already exists (history is append-only)";
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return what() + ": no such instance";
    return "appending " + what();
  });
}

Result<void> WriteSetApplier::upsert_task(const rt::TaskRecord& t, const std::string& roles_json,
                                          const std::string& users_json,
                                          const std::string& detail_json) {
  auto st = db_.prepare(kUpsertTask);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, t.id);
  s.bind_text(2, t.instance_id);
  s.bind_text(3, t.workflow);
  s.bind_text(4, t.state);
  s.bind_text(5, rt::to_string(t.status));
  s.bind_text(6, t.title);
  s.bind_text(7, roles_json);
  s.bind_text(8, users_json);
  s.bind_text(9, t.assignee);
  s.bind_opt_int(10, t.due_at_us);
  s.bind_int(11, t.created_at_us);
  s.bind_opt_int(12, t.completed_at_us);
  s.bind_text(13, t.outcome);
  s.bind_text(14, detail_json);
  auto done = finish(s, [&](int rc) -> std::string {
    const std::string what = "task " + q(t.id);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return what + " refers to instance " + q(t.instance_id) + ", which does not exist";
    }
    return "writing " + what;
  });
  if (!done) return done;
  return replace_task_candidates(t);
}

Result<void> WriteSetApplier::replace_task_candidates(const rt::TaskRecord& t) {
  {
    auto st = db_.prepare(kDeleteCandidates);
    if (!st) return st.error();
    st->get().bind_text(1, t.id);
    auto done =
        finish(st->get(), [&](int) { return "clearing the candidates of task " + q(t.id); });
    if (!done) return done;
  }
  auto st = db_.prepare(kInsertCandidate);
  if (!st) return st.error();
  Statement& s = st->get();
  auto insert = [&](std::string_view kind, const std::string& name) -> Result<void> {
    s.bind_text(1, kind);
    s.bind_text(2, name);
    s.bind_text(3, t.id);
    auto done = finish(s, [&](int) {
      return "adding candidate " + std::string(kind) + " " + q(name) + " to task " + q(t.id);
    });
    s.reset();
    return done;
  };
  for (const auto& user : t.candidate_users) {
    if (auto r = insert("user", user); !r) return r;
  }
  for (const auto& role : t.candidate_roles) {
    if (auto r = insert("role", role); !r) return r;
  }
  return {};
}

Result<void> WriteSetApplier::upsert_timer(const rt::TimerRecord& t, const std::string& payload) {
  auto st = db_.prepare(kUpsertTimer);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, t.id);
  s.bind_text(2, t.instance_id);
  s.bind_int(3, t.due_at_us);
  s.bind_text(4, payload);
  return finish(s, [&](int rc) -> std::string {
    const std::string what = "timer " + q(t.id);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return what + " refers to instance " + q(t.instance_id) + ", which does not exist";
    }
    return "writing " + what;
  });
}

Result<void> WriteSetApplier::insert_outbox(const rt::OutboxRecord& o, const std::string& payload) {
  auto st = db_.prepare(kInsertOutbox);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, o.id);
  s.bind_text(2, o.instance_id);
  s.bind_text(3, o.kind);
  s.bind_int(4, o.created_at_us);
  s.bind_text(5, payload);
  return finish(s, [&](int rc) -> std::string {
    const std::string what = "outbox entry " + q(o.id);
    if (is_duplicate(rc)) return what + " already exists";
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return what + " refers to instance " + q(o.instance_id) + ", which does not exist";
    }
    return "inserting " + what;
  });
}

Result<void> WriteSetApplier::insert_idempotency(const rt::IdempotencyRecord& k,
                                                 const std::string& response) {
  auto st = db_.prepare(kInsertIdempotency);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, k.key);
  s.bind_text(2, k.request_hash);
  s.bind_text(3, k.instance_id);
  s.bind_text(4, response);
  s.bind_int(5, k.created_at_us);
  ErrorReason reason = ErrorReason::none;
  auto done = finish(s, [&](int rc) -> std::string {
    const std::string what = "idempotency key " + q(k.key);
    if (is_duplicate(rc)) reason = ErrorReason::idempotency_key_taken;
    return is_duplicate(rc) ? what + " is already used" : "inserting " + what;
  });
  if (!done) return Error(done.error()).with_reason(reason);
  return done;
}

Result<void> WriteSetApplier::append_event(const rt::EventRecord& e, const std::string& payload) {
  auto st = db_.prepare(kInsertEvent);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_int(1, e.at_us);
  s.bind_text(2, e.kind);
  s.bind_text(3, e.instance_id);
  s.bind_text(4, e.task_id);
  s.bind_text(5, payload);
  return finish(s, [&](int) { return "appending a " + q(e.kind) + " event"; });
}

Result<void> WriteSetApplier::delete_by_id(const char* sql, const std::string& id,
                                           std::string_view what) {
  auto st = db_.prepare(sql);
  if (!st) return st.error();
  st->get().bind_text(1, id);
  return finish(st->get(), [&](int) { return "deleting " + std::string(what) + " " + q(id); });
}

}  // namespace ledgerflow::storage
