// Executor: drives instances through step() durably.
//
//   command ──► shard (one thread per shard; an instance always maps to the same shard,
//               so its events are applied one at a time, in order)
//           ──► step() (+ in-process scores applied at once, folded into one write)
//           ──► EngineStore::submit (group commit)  ──► on commit: reply to the caller,
//               arm timers, run effects (actions on a worker pool, child instances,
//               signals an action asked to deliver to other instances)
//
// process() runs one command in named stages: load_start/load_instance, run_step
// (step() and in-process scores), write_set_of, cache_pending, submit; after the
// commit, after_commit. step() never throws out (it fails the instance instead).
//
// A caller's callback runs only after its transition is durable. Effects run only
// after the transition that asked for them is committed, and stay in the outbox until
// their result is committed, so recover() after a crash re-runs exactly what was in
// flight (outbound calls carry the same idempotency key).
//
// Thread-safety: every public method may be called from any thread. Callbacks run on
// the store's completion thread or a shard thread: keep them short.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/runtime/action_runner.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/step.h"
#include "engine/runtime/store.h"
#include "engine/scoring/scorer.h"

namespace ledgerflow::rt {

struct ExecutorOptions {
  std::size_t shards = 2;           // instance worker threads
  std::size_t effect_threads = 4;   // action runners (these may block on IO)
  std::size_t max_queued = 100000;  // commands per shard before callers are pushed back
  std::size_t max_cached = 100000;  // instance records kept in memory
  bool inline_scores = true;        // apply in-process scores before committing
  const nlohmann::json* env = nullptr;
  std::string pseudonym_key;  // HMAC key for sensitive feature values (StepContext)
};

struct StartRequest {
  std::string workflow;
  int version = 0;  // 0 = latest
  nlohmann::json input = nlohmann::json::object();
  std::string business_key;
  std::string idempotency_key;  // optional: a replay returns the original instance
  Actor actor;
  // Set by the executor for child instances.
  std::string instance_id;
  std::string parent_id;
  std::string parent_effect_id;
  std::string submitter;  // child instances: the root submitter (their created_by)
};

class Executor {
 public:
  using Callback = std::function<void(Result<InstanceRecord>)>;

  Executor(EngineStore& store, DefinitionRegistry& definitions, const Clock& clock,
           const scoring::ScorerRegistry* scorers, ActionTable actions,
           ExecutorOptions options = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void start(StartRequest request, Callback done);
  void send(const std::string& instance_id, Event event, Actor actor, Callback done);

  Result<InstanceRecord> start_sync(StartRequest request);
  EngineStore& store() { return store_; }
  Result<InstanceRecord> send_sync(const std::string& instance_id, Event event, Actor actor);
  // Task events (complete, claim, delegate) by task id.
  Result<InstanceRecord> task_sync(Event event, Actor actor);

  // After a restart: re-run the effects in the outbox and load the timers.
  Result<void> recover();
  // Fires every loaded timer due by the clock; returns how many fired.
  std::size_t fire_due_timers();
  // Fires timers as they come due on a background thread (daemon and CLI).
  void run_timer_thread();
  // Blocks until no command, commit or effect is in flight.
  void wait_idle();
  // Earliest loaded timer, if any.
  std::optional<std::int64_t> next_timer_due() const;

  struct Stats {
    std::uint64_t transitions = 0;
    std::uint64_t commands = 0;
  };
  Stats stats() const;

 private:
  struct Command;
  struct Shard;

  // `may_block`: wait while the shard's queue is full (back-pressure on outside callers).
  // Commands the engine gives itself from commit callbacks never wait: the completion
  // thread waiting for a shard that waits for the store would deadlock. They are bounded
  // by the instances in flight, not by the queue.
  void enqueue(Command command, bool may_block = true);
  void start_internal(StartRequest request, Callback done);
  void send_internal(const std::string& instance_id, Event event, Callback done);
  void shard_loop(Shard& shard);
  // What a command works on once loaded: the instance (none for a start), its
  // definition, the event and the step context.
  struct Loaded {
    std::string id;
    std::shared_ptr<const def::Definition> definition;
    std::optional<InstanceRecord> current;
    Event event;
    StepContext ctx;
    std::optional<Result<InstanceRecord>> answer;  // answered without a step (replay)
  };
  // What the executor acts on once the transition is committed.
  struct AfterCommit {
    InstanceRecord instance;  // as stored (row_version bumped)
    std::vector<OutboxRecord> effects;
    std::vector<TimerRecord> timers;
    std::vector<std::string> timers_deleted;
  };

  // process() and its stages, in order.
  void process(Shard& shard, Command& command);
  Result<Loaded> load_start(const Command& c);
  Result<Loaded> load_instance(Shard& shard, const Command& c);
  Result<Transition> run_step(const Loaded& in);  // step() + in-process scores
  static AfterCommit after_commit_of(const Loaded& in, const Transition& t);
  static WriteSet write_set_of(const Command& c, const Loaded& in, Transition t);
  void cache_pending(Shard& shard, const std::string& id, const InstanceRecord& after);
  void submit(Shard& shard, const std::string& id, WriteSet ws, AfterCommit after, Callback done);
  void release_cached(Shard& shard, const std::string& id, bool committed);
  void after_commit(std::vector<OutboxRecord> effects, std::vector<TimerRecord> timers,
                    std::vector<std::string> timers_deleted);
  void answer(Command& c, Result<InstanceRecord> r);
  StepContext context_now() const;

  void dispatch_effect(OutboxRecord effect);
  void effect_loop();
  Event run_score(const OutboxRecord& effect);
  // False once the instance is finished or cancelled (read from the store, so a cancel
  // committed after the effect was queued is seen).
  bool instance_is_active(const std::string& instance_id);
  Event run_action(const OutboxRecord& effect);
  void deliver_signal(const OutboxRecord& effect);
  void finish_one();
  void add_timer(TimerRecord t);             // timers_mu_ held
  void remove_timer(const std::string& id);  // timers_mu_ held
  Shard& shard_for(const std::string& instance_id);
  std::string new_instance_id();

  EngineStore& store_;
  DefinitionRegistry& definitions_;
  const Clock& clock_;
  const scoring::ScorerRegistry* scorers_;
  ActionTable actions_;  // read-only once built: looked up from the effect threads
  ExecutorOptions options_;

  std::vector<std::unique_ptr<Shard>> shards_;

  std::mutex effects_mu_;
  std::condition_variable effects_cv_;
  std::deque<OutboxRecord> effects_;
  std::vector<std::thread> effect_threads_;

  mutable std::mutex timers_mu_;
  std::multimap<std::int64_t, TimerRecord> timers_;          // by due time
  std::unordered_map<std::string, std::int64_t> timer_due_;  // id -> due, for disarming
  std::thread timer_thread_;

  mutable std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  std::uint64_t in_flight_ = 0;

  std::mutex id_mu_;
  std::uint64_t id_counter_ = 0;
  std::int64_t last_id_ms_ = 0;

  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> transitions_{0};
  std::atomic<std::uint64_t> commands_{0};
};

}  // namespace ledgerflow::rt
