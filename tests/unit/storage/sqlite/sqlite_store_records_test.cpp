// SqliteStore: every record type round-trips unchanged, and each read query returns what
// its filter promises (engine/runtime/store.h).
#include <catch2/catch.hpp>

#include <set>

#include "unit/storage/sqlite/storage_test_support.h"

using namespace storage_test;

TEST_CASE("SqliteStore round-trips every record type", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));

  rt::DefinitionRecord def{"invoice", 1, "abc123", "yaml", "name: invoice\n", 42, "deployer"};
  rt::InstanceRecord inst = make_instance("i-1", "invoice", rt::InstanceStatus::waiting, "INV-7");
  inst.parent_id = "i-0";
  inst.seq = 2;
  inst.state = {{"data", {{"amount", "12.10"}, {"lines", {1, 2, 3}}, {"note", "ünïcode ✓"}}},
                {"frames", nlohmann::json::array()}};
  rt::TaskRecord task = make_task("t-1", "i-1");
  task.candidate_roles = {"approver", "cfo"};
  task.candidate_users = {"bob"};
  task.assignee = "bob";
  task.due_at_us = 99;
  task.completed_at_us = 100;
  task.status = rt::TaskStatus::completed;
  task.outcome = "approved";
  rt::TimerRecord timer{"tm-1", "i-1", 5'000, {{"event", "timeout"}}};
  rt::OutboxRecord out{"o-1", "i-1", "http", 7, {{"url", "https://example.test/hook"}}};
  rt::IdempotencyRecord key{"key-1", "sha256:ff", "i-1", {{"status", 201}}, 8};
  rt::EventRecord event{0, 9, "instance", "i-1", "t-1", {{"status", "waiting"}}};

  rt::WriteSet ws = insert_instance(inst);
  ws.definitions.push_back(def);
  ws.history = {make_history("i-1", 1), make_history("i-1", 2)};
  ws.tasks.push_back(task);
  ws.timers.push_back(timer);
  ws.outbox.push_back(out);
  ws.idempotency.push_back(key);
  ws.events.push_back(event);
  require_ok(store->submit_sync(ws));

  auto d = store->definition("invoice", 1);
  REQUIRE(d);
  CHECK(d->name == def.name);
  CHECK(d->version == def.version);
  CHECK(d->hash == def.hash);
  CHECK(d->format == def.format);
  CHECK(d->source == def.source);
  CHECK(d->created_at_us == def.created_at_us);
  CHECK(d->created_by == def.created_by);

  auto i = store->instance("i-1");
  REQUIRE(i);
  check_same(*i, inst);
  CHECK(i->row_version == 1);  // a new instance starts at 1

  auto h = store->history("i-1", 0, 10);
  REQUIRE(h);
  REQUIRE(h->size() == 2);
  const auto expected_history = make_history("i-1", 2);
  CHECK((*h)[1].instance_id == expected_history.instance_id);
  CHECK((*h)[1].seq == 2);
  CHECK((*h)[1].at_us == expected_history.at_us);
  CHECK((*h)[1].type == expected_history.type);
  CHECK((*h)[1].state == expected_history.state);
  CHECK((*h)[1].actor == expected_history.actor);
  CHECK((*h)[1].data == expected_history.data);

  auto t = store->task("t-1");
  REQUIRE(t);
  check_same(*t, task);

  auto timers = store->timers_due(5'000, 10);
  REQUIRE(timers);
  REQUIRE(timers->size() == 1);
  CHECK((*timers)[0].id == timer.id);
  CHECK((*timers)[0].instance_id == timer.instance_id);
  CHECK((*timers)[0].due_at_us == timer.due_at_us);
  CHECK((*timers)[0].payload == timer.payload);

  auto outbox = store->outbox(10);
  REQUIRE(outbox);
  REQUIRE(outbox->size() == 1);
  CHECK((*outbox)[0].id == out.id);
  CHECK((*outbox)[0].instance_id == out.instance_id);
  CHECK((*outbox)[0].kind == out.kind);
  CHECK((*outbox)[0].created_at_us == out.created_at_us);
  CHECK((*outbox)[0].payload == out.payload);

  auto k = store->idempotency("key-1");
  REQUIRE(k);
  REQUIRE(k->has_value());
  CHECK((*k)->key == key.key);
  CHECK((*k)->request_hash == key.request_hash);
  CHECK((*k)->instance_id == key.instance_id);
  CHECK((*k)->response == key.response);
  CHECK((*k)->created_at_us == key.created_at_us);

  auto events = store->events_after(0, 10);
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].seq >= 1);
  CHECK((*events)[0].at_us == event.at_us);
  CHECK((*events)[0].kind == event.kind);
  CHECK((*events)[0].instance_id == event.instance_id);
  CHECK((*events)[0].task_id == event.task_id);
  CHECK((*events)[0].payload == event.payload);
}

TEST_CASE("SqliteStore reads what is missing as not_found or empty", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  CHECK(store->instance("nope").error().code == ErrorCode::not_found);
  CHECK(store->task("nope").error().code == ErrorCode::not_found);
  CHECK(store->definition("nope", 0).error().code == ErrorCode::not_found);
  CHECK(store->definition_by_hash("nope", "h").error().code == ErrorCode::not_found);
  auto by_key = store->instance_by_business_key("invoice", "K");
  REQUIRE(by_key);
  CHECK_FALSE(by_key->has_value());
  auto key = store->idempotency("nope");
  REQUIRE(key);
  CHECK_FALSE(key->has_value());
  auto next = store->next_timer_due();
  REQUIRE(next);
  CHECK_FALSE(next->has_value());
  CHECK(store->definitions()->empty());
  CHECK(store->events_after(0, 10)->empty());
}

TEST_CASE("SqliteStore finds definitions by version, latest and hash", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws;
  ws.definitions = {{"invoice", 1, "h1", "yaml", "v1", 1, "a"},
                    {"invoice", 2, "h2", "json", "v2", 2, "b"},
                    {"expense", 1, "h9", "yaml", "e1", 3, "c"}};
  require_ok(store->submit_sync(ws));

  CHECK(store->definition("invoice", 0)->version == 2);
  CHECK(store->definition("invoice", 1)->source == "v1");
  CHECK(store->definition_by_hash("invoice", "h1")->version == 1);
  CHECK(store->definition_by_hash("expense", "h1").error().code == ErrorCode::not_found);
  auto all = store->definitions();
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].name == "expense");
  CHECK((*all)[1].version == 1);
  CHECK((*all)[2].version == 2);

  rt::WriteSet again;
  again.definitions = {{"invoice", 2, "h3", "yaml", "dup", 4, "d"}};
  auto dup = store->submit_sync(again);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ErrorCode::conflict);
  CHECK_THAT(dup.error().message, Catch::Contains("definition 'invoice' version 2 already exists"));
}

TEST_CASE("SqliteStore filters instances", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws;
  auto add = [&](const std::string& id, const std::string& workflow, rt::InstanceStatus status,
                 const std::string& key, std::int64_t created_at_us) {
    auto i = make_instance(id, workflow, status, key);
    i.created_at_us = created_at_us;
    ws.instances.push_back(i);
    ws.expected_row_versions.push_back(0);
  };
  add("a", "invoice", rt::InstanceStatus::running, "K1", 10);
  add("b", "invoice", rt::InstanceStatus::waiting, "K2", 20);
  add("c", "expense", rt::InstanceStatus::succeeded, "K1", 30);  // same key, other workflow
  add("d", "invoice", rt::InstanceStatus::failed, "", 40);
  add("e", "expense", rt::InstanceStatus::cancelled, "", 50);
  require_ok(store->submit_sync(ws));

  auto ids = [&](const rt::InstanceFilter& f) {
    auto r = store->instances(f);
    REQUIRE(r);
    std::string out;
    for (const auto& i : *r) out += i.id;
    return out;
  };
  rt::InstanceFilter f;
  CHECK(ids(f) == "abcde");
  f.workflow = "invoice";
  CHECK(ids(f) == "abd");
  f.status = rt::InstanceStatus::waiting;
  CHECK(ids(f) == "b");
  f = {};
  f.status = rt::InstanceStatus::succeeded;
  CHECK(ids(f) == "c");
  f = {};
  f.business_key = "K1";
  CHECK(ids(f) == "ac");
  f.workflow = "expense";
  CHECK(ids(f) == "c");
  f = {};
  f.created_after_us = 20;
  CHECK(ids(f) == "cde");
  f = {};
  f.limit = 2;
  CHECK(ids(f) == "ab");
  f.limit = 0;
  CHECK(ids(f).empty());

  auto by_key = store->instance_by_business_key("invoice", "K1");
  REQUIRE(by_key);
  REQUIRE(by_key->has_value());
  CHECK((*by_key)->id == "a");
  CHECK_FALSE(store->instance_by_business_key("invoice", "")->has_value());

  auto unfinished = store->unfinished_instances();
  REQUIRE(unfinished);
  REQUIRE(unfinished->size() == 2);
  CHECK((*unfinished)[0].id == "a");
  CHECK((*unfinished)[1].id == "b");
}

TEST_CASE("SqliteStore pages 1,000 instances by cursor without duplicates or gaps",
          "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws;
  for (int n = 0; n < 1000; ++n) {
    char id[16];
    std::snprintf(id, sizeof id, "i-%05d", n);
    ws.instances.push_back(make_instance(id, n % 2 == 0 ? "invoice" : "expense"));
    ws.expected_row_versions.push_back(0);
  }
  require_ok(store->submit_sync(ws));

  std::vector<std::string> seen;
  rt::InstanceFilter f;
  f.limit = 37;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = store->instances(f);
    REQUIRE(page);
    if (page->empty()) break;
    CHECK(page->size() <= 37);
    for (const auto& i : *page) seen.push_back(i.id);
    f.after_id = page->back().id;
  }
  REQUIRE(seen.size() == 1000);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 1000);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(seen.front() == "i-00000");
  CHECK(seen.back() == "i-00999");

  rt::InstanceFilter expense;
  expense.workflow = "expense";
  expense.after_id = "i-00990";
  auto tail = store->instances(expense);
  REQUIRE(tail);
  REQUIRE(tail->size() == 5);  // the odd ones after 990: 991, 993, 995, 997, 999
  CHECK(tail->front().id == "i-00991");

  rt::InstanceFilter all;
  all.limit = 5000;  // capped at 1000 (store.h)
  CHECK(store->instances(all)->size() == 1000);
}

TEST_CASE("SqliteStore updates an instance with row_version + 1", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  auto inst = make_instance("i-1");
  require_ok(store->submit_sync(insert_instance(inst)));

  inst.status = rt::InstanceStatus::succeeded;
  inst.seq = 1;
  inst.updated_at_us += 5;
  inst.state["data"]["done"] = true;
  rt::WriteSet update;
  update.instances.push_back(inst);
  update.expected_row_versions.push_back(1);
  update.history.push_back(make_history("i-1", 1));
  require_ok(store->submit_sync(update));

  auto stored = store->instance("i-1");
  REQUIRE(stored);
  check_same(*stored, inst);
  CHECK(stored->row_version == 2);
  CHECK(store->unfinished_instances()->empty());

  update.history.clear();
  update.expected_row_versions = {2};
  require_ok(store->submit_sync(update));
  CHECK(store->instance("i-1")->row_version == 3);
}

TEST_CASE("SqliteStore inbox finds tasks by user, role and assignee", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws = insert_instance(make_instance("i-1"));
  auto task = [&](const std::string& id, std::vector<std::string> users,
                  std::vector<std::string> roles, const std::string& assignee,
                  rt::TaskStatus status = rt::TaskStatus::open) {
    auto t = make_task(id, "i-1");
    t.candidate_users = std::move(users);
    t.candidate_roles = std::move(roles);
    t.assignee = assignee;
    t.status = status;
    ws.tasks.push_back(t);
  };
  task("t1", {"bob"}, {}, "");
  task("t2", {}, {"approver"}, "");
  task("t3", {}, {"cfo"}, "");
  task("t4", {"carol"}, {"approver"}, "bob");  // bob is the assignee
  task("t5", {"bob", "bob"}, {"approver", "cfo"}, "", rt::TaskStatus::completed);
  task("t6", {"dave"}, {"auditor"}, "");
  require_ok(store->submit_sync(ws));

  auto ids = [&](rt::TaskFilter f) {
    auto r = store->tasks(f);
    REQUIRE(r);
    std::string out;
    for (const auto& t : *r) out += t.id + " ";
    return out;
  };
  rt::TaskFilter f;
  CHECK(ids(f) == "t1 t2 t3 t4 t5 t6 ");
  f.candidate_user = "bob";
  CHECK(ids(f) == "t1 t4 t5 ");
  f.status = rt::TaskStatus::open;
  CHECK(ids(f) == "t1 t4 ");
  f.candidate_roles = {"approver"};
  CHECK(ids(f) == "t1 t2 t4 ");
  f.candidate_user.clear();
  CHECK(ids(f) == "t2 t4 ");
  f.candidate_roles = {"cfo", "approver"};
  f.status.reset();
  CHECK(ids(f) == "t2 t3 t4 t5 ");  // t5 matches twice, listed once
  f.after_id = "t3";
  f.limit = 1;
  CHECK(ids(f) == "t4 ");
  f = {};
  f.candidate_user = "nobody";
  CHECK(ids(f).empty());
  f = {};
  f.instance_id = "i-1";
  f.status = rt::TaskStatus::completed;
  CHECK(ids(f) == "t5 ");

  // An upsert rewrites the candidates: t1 moves from bob to carol.
  rt::WriteSet reassign;
  auto t1 = make_task("t1", "i-1");
  t1.candidate_users = {"carol"};
  reassign.tasks.push_back(t1);
  require_ok(store->submit_sync(reassign));
  f = {};
  f.candidate_user = "bob";
  CHECK(ids(f) == "t4 t5 ");
  f.candidate_user = "carol";
  CHECK(ids(f) == "t1 t4 ");
}

TEST_CASE("SqliteStore orders due timers and reports the next one", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws = insert_instance(make_instance("i-1"));
  ws.timers = {{"c", "i-1", 300, {}},
               {"a", "i-1", 100, {}},
               {"b", "i-1", 100, {}},
               {"d", "i-1", 900, {{"n", 1}}}};
  require_ok(store->submit_sync(ws));

  auto ids = [&](std::int64_t now, std::size_t limit) {
    auto r = store->timers_due(now, limit);
    REQUIRE(r);
    std::string out;
    for (const auto& t : *r) out += t.id;
    return out;
  };
  CHECK(ids(99, 10).empty());
  CHECK(ids(100, 10) == "ab");
  CHECK(ids(1000, 10) == "abcd");
  CHECK(ids(1000, 3) == "abc");
  CHECK(*store->next_timer_due() == std::optional<std::int64_t>(100));

  rt::WriteSet fire;  // fire a and b; re-arm c later (upsert)
  fire.timers_deleted = {"a", "b", "never-existed"};
  fire.timers = {{"c", "i-1", 950, {}}};
  require_ok(store->submit_sync(fire));
  CHECK(ids(1000, 10) == "dc");
  CHECK(*store->next_timer_due() == std::optional<std::int64_t>(900));
}

TEST_CASE("SqliteStore keeps the outbox until done", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws = insert_instance(make_instance("i-1"));
  ws.outbox = {{"o2", "i-1", "http", 20, {}},
               {"o1", "i-1", "plugin", 10, {}},
               {"o3", "i-1", "child", 20, {}}};
  require_ok(store->submit_sync(ws));
  auto ids = [&](std::size_t limit) {
    auto rows = store->outbox(limit);
    REQUIRE(rows);
    std::string out;
    for (const auto& o : *rows) out += o.id + " ";
    return out;
  };
  CHECK(ids(10) == "o1 o2 o3 ");
  CHECK(ids(2) == "o1 o2 ");

  rt::WriteSet done;
  done.outbox_done = {"o1", "o3"};
  require_ok(store->submit_sync(done));
  CHECK(ids(10) == "o2 ");

  rt::WriteSet dup;
  dup.outbox = {{"o2", "i-1", "http", 30, {}}};
  auto r = store->submit_sync(dup);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::conflict);
}

TEST_CASE("SqliteStore stores idempotency keys once", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws;
  ws.idempotency = {{"k1", "h1", "", {{"ok", true}}, 1}};
  require_ok(store->submit_sync(ws));
  auto r = store->submit_sync(ws);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::conflict);
  CHECK_THAT(r.error().message, Catch::Contains("idempotency key 'k1' is already used"));
  auto k = store->idempotency("k1");
  REQUIRE(k);
  REQUIRE(k->has_value());
  CHECK((*k)->response == nlohmann::json{{"ok", true}});
}

TEST_CASE("SqliteStore assigns increasing event seqs and pages by them", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  for (int batch = 0; batch < 5; ++batch) {
    rt::WriteSet ws;
    for (int n = 0; n < 10; ++n) {
      ws.events.push_back({999, batch * 10 + n, "instance", "i-" + std::to_string(n), "", {}});
    }
    require_ok(store->submit_sync(ws));
  }
  std::vector<std::uint64_t> seqs;
  std::uint64_t after = 0;
  for (;;) {
    auto page = store->events_after(after, 7);
    REQUIRE(page);
    if (page->empty()) break;
    for (const auto& e : *page) {
      CHECK(e.seq > after);
      seqs.push_back(e.seq);
      after = e.seq;
    }
  }
  REQUIRE(seqs.size() == 50);
  CHECK(std::is_sorted(seqs.begin(), seqs.end()));
  CHECK(std::set<std::uint64_t>(seqs.begin(), seqs.end()).size() == 50);
  auto from_middle = store->events_after(seqs[24], 100);
  REQUIRE(from_middle);
  REQUIRE(from_middle->size() == 25);
  CHECK(from_middle->front().at_us == 25);  // the store's seq, not the caller's 999
}

TEST_CASE("SqliteStore pages history by seq", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws = insert_instance(make_instance("i-1"));
  for (std::uint64_t seq = 1; seq <= 20; ++seq) ws.history.push_back(make_history("i-1", seq));
  require_ok(store->submit_sync(ws));
  auto page = store->history("i-1", 5, 3);
  REQUIRE(page);
  REQUIRE(page->size() == 3);
  CHECK((*page)[0].seq == 6);
  CHECK((*page)[2].seq == 8);
  CHECK(store->history("i-1", 20, 10)->empty());
  CHECK(store->history("other", 0, 10)->empty());
}
