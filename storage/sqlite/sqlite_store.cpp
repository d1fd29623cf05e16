#include "storage/sqlite/sqlite_store.h"

#include <algorithm>

#include "storage/sqlite/batch_writer.h"
#include "storage/sqlite/completion_queue.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/outcome_rows.h"
#include "storage/sqlite/reader_pool.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/store_reader.h"
#include "storage/sqlite/write_queue.h"

namespace ledgerflow::storage {
namespace {

// Pragmas that take no parameters: the settings of the write connection.
Result<void> configure_writer(Connection& db, const SqliteOptions& o) {
  if (!o.read_only) {
    auto mode = db.query_text("PRAGMA journal_mode = WAL", "switching to WAL mode");
    if (!mode) return mode.error();
    if (*mode != "wal") {
      return Error::io(db.path() + ": could not switch to WAL mode (journal_mode is " + *mode +
                       ")");
    }
  }
  // Each write set runs in a SAVEPOINT, which copies every page it touches to the statement
  // journal; past 64 KiB SQLite spills that journal to a temp file, costing a pwrite per
  // page and write set. In memory it is reset at every RELEASE, so it holds one write set.
  auto temp = db.exec("PRAGMA temp_store = MEMORY", "keeping temporary data in memory");
  if (!temp) return temp;
  // A batch dirties thousands of pages; with SQLite's default 2 MiB cache they spill to the
  // WAL before COMMIT and are written again. 32 MiB holds a batch of 512 typical write sets.
  // PRAGMA takes no parameters; the value is a typed integer option (negative = KiB).
  const std::string cache_sql =
      "PRAGMA cache_size = -" + std::to_string(std::max<std::int64_t>(o.writer_cache_kib, 256));
  auto cache = db.exec(cache_sql, "sizing the page cache");
  if (!cache) return cache;
  // Bounds the WAL file left behind after a checkpoint (it is reused, not shrunk, otherwise).
  auto limited = db.exec("PRAGMA journal_size_limit = 67108864", "limiting the WAL size");
  if (!limited) return limited;
  auto sync =
      db.exec(o.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
              "setting synchronous");
  if (!sync) return sync;
  return db.exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
}

Result<void> limit_pages(Connection& db, std::int64_t max_page_count) {
  if (max_page_count <= 0) return {};
  // PRAGMA takes no parameters; the value is a typed integer option, not text from outside.
  const std::string sql = "PRAGMA max_page_count = " + std::to_string(max_page_count);
  auto set = db.query_int(sql.c_str(), "setting max_page_count");
  if (!set) return set.error();
  return {};
}

}  // namespace

int SqliteStore::schema_version() {
  return storage::schema_version();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& o) {
  if (o.path.empty() || o.path.front() == ':' || o.path.rfind("file:", 0) == 0) {
    return Error::invalid("sqlite store: path must name a file (got '" + o.path + "')");
  }
  const auto mode = o.read_only ? Connection::Mode::read_only : Connection::Mode::read_write;
  auto db = Connection::open(o.path, mode, o.busy_timeout_ms, o.vfs);
  if (!db) return db.error();
  Connection& c = **db;
  if (auto r = check_integrity(c); !r) return r.error();
  if (auto r = configure_writer(c, o); !r) return r.error();
  if (auto r = migrate(c, o.read_only); !r) return r.error();
  if (auto r = limit_pages(c, o.max_page_count); !r) return r.error();

  auto readers = std::make_unique<ReaderPool>(o.path, o.vfs, o.busy_timeout_ms, o.max_readers);
  {  // Fail at open, not at the first read, if read connections cannot work.
    auto lease = readers->acquire();
    if (!lease) return lease.error();
    auto probe = lease->db().query_int("SELECT count(*) FROM sqlite_schema",
                                       "reading the schema on a read connection");
    if (!probe) return probe.error();
  }
  auto writer = std::make_unique<BatchWriter>(std::move(*db), o.group_commit ? o.max_batch : 1);
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(writer), std::move(readers), o.max_queued_write_sets));
}

SqliteStore::SqliteStore(std::unique_ptr<BatchWriter> writer, std::unique_ptr<ReaderPool> readers,
                         std::size_t max_queued)
    : writer_(std::move(writer)),
      readers_(std::move(readers)),
      queue_(std::make_unique<WriteQueue>(max_queued)),
      completions_(std::make_unique<CompletionQueue>(kMaxCompletedBatches)) {
  completion_thread_ = std::thread([this] {
    CompletionQueue::Batch batch;
    while (completions_->pop(batch)) {
      BatchWriter::complete(batch);
      queue_->finished(batch.items.size());
      batch = CompletionQueue::Batch{};  // frees the batch here, not on the writer
    }
  });
  writer_thread_ = std::thread([this] { writer_->run(*queue_, *completions_); });
}

SqliteStore::~SqliteStore() {
  queue_->close();  // the writer drains what is queued, then returns
  writer_thread_.join();
  completions_->close();  // the completion thread calls the last callbacks, then returns
  completion_thread_.join();
}

void SqliteStore::submit(rt::WriteSet ws, Done done) {
  // JSON is serialised here, on the caller's thread, not on the one writer thread.
  WriteQueue::Item item{encode(std::move(ws)), std::move(done)};
  // A `done` submitting more work must not wait: the writer may be waiting for the
  // completion thread to take its batch.
  const bool in_callback = std::this_thread::get_id() == completion_thread_.get_id();
  if (!queue_->push(item, /*may_block=*/!in_callback) && item.done) {
    item.done(Error{ErrorCode::unavailable, "sqlite store: submit after shutdown began"});
  }
}

void SqliteStore::flush() {
  if (std::this_thread::get_id() == completion_thread_.get_id()) return;  // would wait for itself
  queue_->wait_drained();
}

void SqliteStore::pause_writes() {
  queue_->hold(true);
}

void SqliteStore::resume_writes() {
  queue_->hold(false);
}

rt::StoreStats SqliteStore::stats() const {
  return writer_->stats();
}

template <typename Fn>
auto SqliteStore::read(Fn&& fn) {
  using R = decltype(fn(std::declval<StoreReader&>()));
  auto lease = readers_->acquire();
  if (!lease) return R(lease.error());
  StoreReader reader(lease->db());
  return fn(reader);
}

Result<rt::DefinitionRecord> SqliteStore::definition(const std::string& name, int version) {
  return read([&](StoreReader& r) { return r.definition(name, version); });
}

Result<rt::DefinitionRecord> SqliteStore::definition_by_hash(const std::string& name,
                                                             const std::string& hash) {
  return read([&](StoreReader& r) { return r.definition_by_hash(name, hash); });
}

Result<std::vector<rt::DefinitionRecord>> SqliteStore::definitions() {
  return read([&](StoreReader& r) { return r.definitions(); });
}

Result<rt::InstanceRecord> SqliteStore::instance(const std::string& id) {
  return read([&](StoreReader& r) { return r.instance(id); });
}

Result<std::optional<rt::InstanceRecord>> SqliteStore::instance_by_business_key(
    const std::string& workflow, const std::string& key) {
  return read([&](StoreReader& r) { return r.instance_by_business_key(workflow, key); });
}

Result<std::vector<rt::InstanceRecord>> SqliteStore::instances(const rt::InstanceFilter& filter) {
  return read([&](StoreReader& r) { return r.instances(filter); });
}

Result<std::vector<rt::InstanceRecord>> SqliteStore::unfinished_instances() {
  return read([&](StoreReader& r) { return r.unfinished_instances(); });
}

Result<std::vector<rt::HistoryRecord>> SqliteStore::history(const std::string& instance_id,
                                                            std::uint64_t after_seq,
                                                            std::size_t limit) {
  return read([&](StoreReader& r) { return r.history(instance_id, after_seq, limit); });
}

Result<rt::TaskRecord> SqliteStore::task(const std::string& id) {
  return read([&](StoreReader& r) { return r.task(id); });
}

Result<std::vector<rt::TaskRecord>> SqliteStore::tasks(const rt::TaskFilter& filter) {
  return read([&](StoreReader& r) { return r.tasks(filter); });
}

Result<std::vector<rt::TimerRecord>> SqliteStore::timers_due(std::int64_t now_us,
                                                             std::size_t limit) {
  return read([&](StoreReader& r) { return r.timers_due(now_us, limit); });
}

Result<std::optional<std::int64_t>> SqliteStore::next_timer_due() {
  return read([&](StoreReader& r) { return r.next_timer_due(); });
}

Result<std::vector<rt::TimerRecord>> SqliteStore::timers_page(std::int64_t after_due_us,
                                                              const std::string& after_id,
                                                              std::size_t limit) {
  return read([&](StoreReader& r) { return r.timers_page(after_due_us, after_id, limit); });
}

Result<std::vector<rt::OutboxRecord>> SqliteStore::outbox_page(std::int64_t after_created_us,
                                                               const std::string& after_id,
                                                               std::size_t limit) {
  return read([&](StoreReader& r) { return r.outbox_page(after_created_us, after_id, limit); });
}

Result<std::vector<rt::OutboxRecord>> SqliteStore::outbox(std::size_t limit) {
  return read([&](StoreReader& r) { return r.outbox(limit); });
}

Result<std::optional<rt::IdempotencyRecord>> SqliteStore::idempotency(const std::string& key) {
  return read([&](StoreReader& r) { return r.idempotency(key); });
}

Result<std::vector<rt::EventRecord>> SqliteStore::events_after(std::uint64_t seq,
                                                               std::size_t limit) {
  return read([&](StoreReader& r) { return r.events_after(seq, limit); });
}

Result<std::uint64_t> SqliteStore::latest_event_seq() {
  return read([&](StoreReader& r) { return r.latest_event_seq(); });
}

Result<std::optional<rt::OutcomeRecord>> SqliteStore::outcome(const std::string& decision_id) {
  auto lease = readers_->acquire();
  if (!lease) return lease.error();
  return read_outcome(lease->db(), decision_id);
}

Result<std::vector<rt::ScoredOutcome>> SqliteStore::scored_outcomes(const std::string& model,
                                                                    std::size_t limit) {
  auto lease = readers_->acquire();
  if (!lease) return lease.error();
  return read_scored_outcomes(lease->db(), model, limit);
}

Result<rt::ActivitySummary> SqliteStore::activity_summary(std::int64_t now_us,
                                                          std::int64_t since_us) {
  return read([&](StoreReader& r) { return r.activity_summary(now_us, since_us); });
}

}  // namespace ledgerflow::storage
