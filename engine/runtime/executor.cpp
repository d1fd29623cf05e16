#include "engine/runtime/executor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <future>
#include <random>

namespace ledgerflow::rt {

struct Executor::Command {
  bool is_start = false;
  StartRequest start;
  std::string instance_id;
  Event event;
  Actor actor;
  std::vector<std::string> extra_outbox_done;  // outbox rows of other instances this consumes
  Callback done;
};

struct Executor::Shard {
  std::mutex mu;
  std::condition_variable cv;
  std::condition_variable space_cv;
  std::deque<Command> queue;
  std::thread thread;
  struct Cached {
    InstanceRecord record;
    std::uint32_t pending = 0;  // writes submitted, not yet committed
  };
  std::unordered_map<std::string, Cached> cache;
};

namespace {

nlohmann::json signals_to_json(const std::vector<SignalRequest>& signals) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : signals) {
    nlohmann::json j = {{"name", s.name}, {"correlation", s.correlation}, {"payload", s.payload}};
    if (!s.instance_id.empty()) {
      j["instance_id"] = s.instance_id;
    } else {
      j["workflow"] = s.workflow;
      j["business_key"] = s.business_key;
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::string request_hash(const StartRequest& r) {
  return r.workflow + "\n" + std::to_string(r.version) + "\n" + r.business_key + "\n" +
         r.input.dump();
}

// Folds `next` (a step applied on top of `t`) into `t`. Effects and timers that `next`
// consumed or disarmed before they were ever written are dropped instead.
void merge(Transition& t, Transition next, const std::string& consumed_effect) {
  t.instance = std::move(next.instance);
  for (auto& h : next.history) t.history.push_back(std::move(h));
  t.effects.erase(std::remove_if(t.effects.begin(), t.effects.end(),
                                 [&](const OutboxRecord& o) { return o.id == consumed_effect; }),
                  t.effects.end());
  for (auto& e : next.effects) t.effects.push_back(std::move(e));
  for (auto& d : next.effects_done) {
    if (d != consumed_effect) t.effects_done.push_back(std::move(d));
  }
  for (auto& k : next.tasks) t.tasks.push_back(std::move(k));
  for (const auto& d : next.timers_deleted) {
    auto it = std::find_if(t.timers.begin(), t.timers.end(),
                           [&](const TimerRecord& r) { return r.id == d; });
    if (it != t.timers.end()) {
      t.timers.erase(it);
    } else {
      t.timers_deleted.push_back(d);
    }
  }
  for (auto& tm : next.timers) t.timers.push_back(std::move(tm));
  for (auto& e : next.events) t.events.push_back(std::move(e));
}

}  // namespace

Executor::Executor(EngineStore& store, DefinitionRegistry& definitions, const Clock& clock,
                   const scoring::ScorerRegistry* scorers, ActionTable actions,
                   ExecutorOptions options)
    : store_(store),
      definitions_(definitions),
      clock_(clock),
      scorers_(scorers),
      actions_(std::move(actions)),
      options_(options) {
  std::random_device rd;
  id_counter_ = (static_cast<std::uint64_t>(rd()) & 0xFFFF) << 24;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.shards); ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
  for (auto& s : shards_) {
    Shard* shard = s.get();
    shard->thread = std::thread([this, shard] { shard_loop(*shard); });
  }
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.effect_threads); ++i) {
    effect_threads_.emplace_back([this] { effect_loop(); });
  }
}

Executor::~Executor() {
  wait_idle();
  stopping_ = true;
  for (auto& s : shards_) {
    std::lock_guard lock(s->mu);
    s->cv.notify_all();
  }
  {
    std::lock_guard lock(effects_mu_);
    effects_cv_.notify_all();
  }
  for (auto& s : shards_) s->thread.join();
  for (auto& t : effect_threads_) t.join();
  if (timer_thread_.joinable()) timer_thread_.join();
  store_.flush();
}

std::string Executor::new_instance_id() {
  // Time-ordered ids (cursor pagination sorts by id): milliseconds, then a per-process
  // random prefix and a counter, so two daemons never collide.
  std::lock_guard lock(id_mu_);
  std::int64_t ms = clock_.now_us() / 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%013lld-%010llx",
                static_cast<long long>(std::max(ms, last_id_ms_)),
                static_cast<unsigned long long>(++id_counter_));
  last_id_ms_ = std::max(ms, last_id_ms_);
  return buf;
}

Executor::Shard& Executor::shard_for(const std::string& instance_id) {
  return *shards_[std::hash<std::string>{}(instance_id) % shards_.size()];
}

void Executor::enqueue(Command command, bool may_block) {
  {
    std::lock_guard lock(idle_mu_);
    ++in_flight_;
  }
  if (command.is_start && command.start.instance_id.empty())
    command.start.instance_id = new_instance_id();
  const std::string& id = command.is_start ? command.start.instance_id : command.instance_id;
  Shard& shard = shard_for(id);
  std::unique_lock lock(shard.mu);
  if (may_block) {
    shard.space_cv.wait(lock,
                        [&] { return shard.queue.size() < options_.max_queued || stopping_; });
  }
  shard.queue.push_back(std::move(command));
  shard.cv.notify_one();
}

void Executor::start(StartRequest request, Callback done) {
  Command c;
  c.is_start = true;
  c.start = std::move(request);
  c.done = std::move(done);
  enqueue(std::move(c));
}

void Executor::start_internal(StartRequest request, Callback done) {
  Command c;
  c.is_start = true;
  c.start = std::move(request);
  c.done = std::move(done);
  enqueue(std::move(c), /*may_block=*/false);
}

void Executor::send_internal(const std::string& instance_id, Event event, Callback done) {
  Command c;
  c.instance_id = instance_id;
  c.event = std::move(event);
  c.done = std::move(done);
  enqueue(std::move(c), /*may_block=*/false);
}

void Executor::send(const std::string& instance_id, Event event, Actor actor, Callback done) {
  Command c;
  c.instance_id = instance_id;
  c.event = std::move(event);
  c.actor = std::move(actor);
  c.done = std::move(done);
  enqueue(std::move(c));
}

Result<InstanceRecord> Executor::start_sync(StartRequest request) {
  std::promise<Result<InstanceRecord>> p;
  auto f = p.get_future();
  start(std::move(request), [&p](Result<InstanceRecord> r) { p.set_value(std::move(r)); });
  return f.get();
}

Result<InstanceRecord> Executor::send_sync(const std::string& instance_id, Event event,
                                           Actor actor) {
  std::promise<Result<InstanceRecord>> p;
  auto f = p.get_future();
  send(instance_id, std::move(event), std::move(actor),
       [&p](Result<InstanceRecord> r) { p.set_value(std::move(r)); });
  return f.get();
}

Result<InstanceRecord> Executor::task_sync(Event event, Actor actor) {
  auto task = store_.task(event.task_id);
  if (!task) return task.error();
  return send_sync(task->instance_id, std::move(event), std::move(actor));
}

void Executor::finish_one() {
  std::lock_guard lock(idle_mu_);
  if (--in_flight_ == 0) idle_cv_.notify_all();
}

void Executor::wait_idle() {
  std::unique_lock lock(idle_mu_);
  idle_cv_.wait(lock, [&] { return in_flight_ == 0; });
}

void Executor::shard_loop(Shard& shard) {
  for (;;) {
    Command c;
    {
      std::unique_lock lock(shard.mu);
      shard.cv.wait(lock, [&] { return !shard.queue.empty() || stopping_; });
      if (shard.queue.empty()) return;
      c = std::move(shard.queue.front());
      shard.queue.pop_front();
      shard.space_cv.notify_one();
    }
    process(shard, c);
  }
}

// One command, in stages: load the instance and its definition, step() it, apply any
// in-process scores, build the write set, remember the result in the shard's cache, and
// submit; after the commit, reply and run what the transition asked for.
void Executor::process(Shard& shard, Command& c) {
  ++commands_;
  auto loaded = c.is_start ? load_start(c) : load_instance(shard, c);
  if (!loaded) return answer(c, loaded.error());
  if (loaded->answer) return answer(c, std::move(*loaded->answer));
  auto t = run_step(*loaded);
  if (!t) return answer(c, t.error());
  AfterCommit after = after_commit_of(*loaded, *t);
  WriteSet ws = write_set_of(c, *loaded, std::move(*t));
  cache_pending(shard, loaded->id, after.instance);
  submit(shard, loaded->id, std::move(ws), std::move(after), std::move(c.done));
}

void Executor::answer(Command& c, Result<InstanceRecord> r) {
  if (c.done) c.done(std::move(r));
  finish_one();
}

StepContext Executor::context_now() const {
  StepContext ctx;
  ctx.now_us = clock_.now_us();
  ctx.env = options_.env;
  ctx.pseudonym_key = options_.pseudonym_key;
  return ctx;
}

Result<Executor::Loaded> Executor::load_start(const Command& c) {
  const StartRequest& r = c.start;
  Loaded in;
  in.id = r.instance_id;
  if (!r.idempotency_key.empty()) {
    auto prior = store_.idempotency(r.idempotency_key);
    if (!prior) return prior.error();
    if (*prior) {
      if ((*prior)->request_hash != request_hash(r)) {
        return Error{ErrorCode::conflict, "Idempotency-Key '" + r.idempotency_key +
                                              "' was already used with a different request",
                     ErrorReason::idempotency_key_reused};
      }
      in.answer = store_.instance((*prior)->instance_id);  // a replay: the original
      return in;
    }
  }
  // Resolve "latest" once, then load that version (get(name, 0) would look it up again).
  auto version = r.version ? Result<int>(r.version) : definitions_.latest_version(r.workflow);
  if (!version) return version.error();
  auto d = definitions_.get(r.workflow, *version);
  if (!d) return d.error();
  in.definition = *d;
  in.ctx = context_now();
  in.ctx.actor = r.actor;
  in.ctx.definition_version = *version;
  in.ctx.new_instance_id = r.instance_id;
  in.ctx.parent_id = r.parent_id;
  in.ctx.parent_effect_id = r.parent_effect_id;
  in.ctx.submitter = r.submitter;
  in.event.type = Event::Type::start;
  in.event.input = r.input;
  in.event.business_key = r.business_key;
  return in;
}

Result<Executor::Loaded> Executor::load_instance(Shard& shard, const Command& c) {
  Loaded in;
  in.id = c.instance_id;
  {
    std::lock_guard lock(shard.mu);
    if (auto it = shard.cache.find(in.id); it != shard.cache.end()) in.current = it->second.record;
  }
  if (!in.current) {
    auto loaded = store_.instance(in.id);
    if (!loaded) return loaded.error();
    in.current = std::move(*loaded);
  }
  auto d = definitions_.get(in.current->workflow, in.current->version);
  if (!d) return d.error();
  in.definition = *d;
  in.ctx = context_now();
  in.ctx.actor = c.actor;
  in.event = c.event;
  return in;
}

Result<Transition> Executor::run_step(const Loaded& in) {
  auto t = step(*in.definition, in.current ? &*in.current : nullptr, in.event, in.ctx);
  if (!t) return t.error();
  std::uint64_t steps = 1;
  // In-process scores are applied at once: the chain of steps commits as one write.
  while (options_.inline_scores && scorers_) {
    auto it = std::find_if(t->effects.begin(), t->effects.end(),
                           [](const OutboxRecord& o) { return o.kind == kEffectScore; });
    if (it == t->effects.end()) break;
    OutboxRecord effect = *it;
    Event result = run_score(effect);
    StepContext next_ctx = in.ctx;
    next_ctx.actor = Actor{};
    auto next = step(*in.definition, &t->instance, result, next_ctx);
    if (!next) return next.error();
    merge(*t, std::move(*next), effect.id);
    ++steps;
  }
  transitions_ += steps;
  return t;
}

Executor::AfterCommit Executor::after_commit_of(const Loaded& in, const Transition& t) {
  AfterCommit after;
  after.instance = t.instance;
  after.instance.row_version = (in.current ? in.current->row_version : 0) + 1;
  after.effects = t.effects;
  after.timers = t.timers;
  after.timers_deleted = t.timers_deleted;
  return after;
}

WriteSet Executor::write_set_of(const Command& c, const Loaded& in, Transition t) {
  WriteSet ws = to_write_set(std::move(t), in.current ? in.current->row_version : 0);
  for (const auto& d : c.extra_outbox_done) ws.outbox_done.push_back(d);
  if (c.is_start && !c.start.idempotency_key.empty()) {
    ws.idempotency.push_back(IdempotencyRecord{c.start.idempotency_key, request_hash(c.start),
                                               in.id, nlohmann::json{{"instance_id", in.id}},
                                               in.ctx.now_us});
  }
  return ws;
}

void Executor::cache_pending(Shard& shard, const std::string& id, const InstanceRecord& after) {
  std::lock_guard lock(shard.mu);
  auto& entry = shard.cache[id];
  entry.record = after;
  ++entry.pending;
  if (shard.cache.size() > options_.max_cached) {
    for (auto it = shard.cache.begin();
         it != shard.cache.end() && shard.cache.size() > options_.max_cached / 2;) {
      it = it->second.pending == 0 ? shard.cache.erase(it) : std::next(it);
    }
  }
}

void Executor::release_cached(Shard& shard, const std::string& id, bool committed) {
  std::lock_guard lock(shard.mu);
  auto it = shard.cache.find(id);
  if (it == shard.cache.end()) return;
  if (!committed) {
    shard.cache.erase(it);  // the next command reloads what is really stored
  } else if (--it->second.pending == 0 && is_final(it->second.record.status)) {
    shard.cache.erase(it);
  }
}

void Executor::submit(Shard& shard, const std::string& id, WriteSet ws, AfterCommit after,
                      Callback done) {
  store_.submit(std::move(ws), [this, &shard, id, after = std::move(after),
                                done = std::move(done)](Result<void> r) mutable {
    release_cached(shard, id, r.ok());
    if (r)
      after_commit(std::move(after.effects), std::move(after.timers),
                   std::move(after.timers_deleted));
    if (done) {
      if (r) {
        done(std::move(after.instance));
      } else {
        done(r.error());
      }
    }
    finish_one();
  });
}

void Executor::after_commit(std::vector<OutboxRecord> effects, std::vector<TimerRecord> timers,
                            std::vector<std::string> timers_deleted) {
  {
    std::lock_guard lock(timers_mu_);
    for (auto& t : timers) add_timer(std::move(t));
    for (const auto& d : timers_deleted) remove_timer(d);
  }
  for (auto& e : effects) dispatch_effect(std::move(e));
}

void Executor::dispatch_effect(OutboxRecord effect) {
  auto consume = [this](const std::string& outbox_id) {
    WriteSet ws;
    ws.outbox_done.push_back(outbox_id);
    store_.submit(std::move(ws), [](Result<void>) {});
  };
  if (effect.kind == kEffectAction || effect.kind == kEffectScore || effect.kind == kEffectSignal) {
    {
      std::lock_guard lock(idle_mu_);
      ++in_flight_;
    }
    std::lock_guard lock(effects_mu_);
    effects_.push_back(std::move(effect));
    effects_cv_.notify_one();
    return;
  }
  const nlohmann::json& p = effect.payload;
  if (effect.kind == kEffectStartChild) {
    StartRequest r;
    r.workflow = p.value("workflow", std::string());
    r.version = p.value("version", 0);
    r.input = p.value("input", nlohmann::json::object());
    r.instance_id = p.value("child_id", std::string());
    r.parent_id = effect.instance_id;
    r.parent_effect_id = effect.id;
    r.submitter = p.value("submitter", std::string());
    std::string parent = effect.instance_id;
    std::string effect_id = effect.id;
    start_internal(std::move(r), [this, parent, effect_id](Result<InstanceRecord> res) {
      // A child that already exists was started before a crash: its own completion
      // notifies the parent. Anything else is the subflow's failure.
      if (res || res.error().code == ErrorCode::conflict) return;
      Event e;
      e.type = Event::Type::effect_result;
      e.effect_id = effect_id;
      e.ok = false;
      e.error = "subflow_failed";
      e.message = "could not start the subflow: " + res.error().message;
      send_internal(parent, std::move(e), nullptr);
    });
    return;
  }
  if (effect.kind == kEffectCancelChild) {
    Event e;
    e.type = Event::Type::cancel;
    e.comment = "parent state cancelled";
    std::string outbox_id = effect.id;
    send_internal(p.value("child_id", std::string()), std::move(e),
                  [consume, outbox_id](Result<InstanceRecord>) { consume(outbox_id); });
    return;
  }
  if (effect.kind == kEffectNotifyParent) {
    Command c;
    c.instance_id = p.value("parent_id", std::string());
    c.event.type = Event::Type::effect_result;
    c.event.effect_id = p.value("effect_id", std::string());
    c.event.ok = p.value("ok", false);
    c.event.output = p.value("output", nlohmann::json());
    c.event.error = p.value("error", std::string("subflow_failed"));
    c.event.message = p.value("message", std::string());
    c.extra_outbox_done.push_back(effect.id);
    std::string outbox_id = effect.id;
    c.done = [consume, outbox_id](Result<InstanceRecord> r) {
      if (!r) consume(outbox_id);
    };
    enqueue(std::move(c), /*may_block=*/false);
  }
}

void Executor::effect_loop() {
  for (;;) {
    OutboxRecord effect;
    {
      std::unique_lock lock(effects_mu_);
      effects_cv_.wait(lock, [&] { return !effects_.empty() || stopping_; });
      if (effects_.empty()) return;
      effect = std::move(effects_.front());
      effects_.pop_front();
    }
    if (effect.kind == kEffectSignal) {
      deliver_signal(effect);
    } else if (!instance_is_active(effect.instance_id)) {
      // Cancelled (or finished) after the effect was queued: its outbox row went with that
      // write; an action must not act for an instance that no longer wants it.
      WriteSet ws;
      ws.outbox_done.push_back(effect.id);
      store_.submit(std::move(ws), [](Result<void>) {});
    } else {
      Event result = effect.kind == kEffectScore ? run_score(effect) : run_action(effect);
      send(effect.instance_id, std::move(result), Actor{}, nullptr);
    }
    finish_one();
  }
}

bool Executor::instance_is_active(const std::string& instance_id) {
  auto rec = store_.instance(instance_id);
  // Unreadable: run it (the action's own idempotency key still guards a repeat).
  if (!rec) return true;
  return rec->status == InstanceStatus::running || rec->status == InstanceStatus::waiting;
}

Event Executor::run_action(const OutboxRecord& effect) {
  Event e;
  e.type = Event::Type::effect_result;
  e.effect_id = effect.id;
  const nlohmann::json& p = effect.payload;
  ActionRequest req;
  req.action = p.value("action", std::string());
  req.args = p.value("args", nlohmann::json::object());
  req.idempotency_key = p.value("idempotency_key", effect.id);
  req.instance_id = effect.instance_id;
  req.state = p.value("state", std::string());
  req.attempt = p.value("attempt", 1);
  req.timeout_ms = p.value("timeout_ms", std::int64_t{30000});
  ActionResult r;
  try {
    r = actions_.run(req);  // an unknown action is an action_error naming it
  } catch (const std::exception& ex) {
    r = ActionResult::failure("action_error",
                              std::string("action '") + req.action + "' threw: " + ex.what());
  }
  e.ok = r.ok;
  e.output = std::move(r.output);
  e.error = std::move(r.error);
  e.message = std::move(r.message);
  if (!r.signals.empty()) e.signals = signals_to_json(r.signals);
  return e;
}

void Executor::deliver_signal(const OutboxRecord& effect) {
  // Consumed with the receiver's transition (extra_outbox_done); consumed alone when
  // there is no receiver or it refuses the signal (best effort, as documented on
  // SignalRequest): a refusal is not the sender's error.
  std::string outbox_id = effect.id;
  auto consume = [this, outbox_id] {
    WriteSet ws;
    ws.outbox_done.push_back(outbox_id);
    store_.submit(std::move(ws), [](Result<void>) {});
  };
  const nlohmann::json& p = effect.payload;
  std::string target = p.value("instance_id", std::string());
  if (target.empty()) {
    auto found = store_.instance_by_business_key(p.value("workflow", std::string()),
                                                 p.value("business_key", std::string()));
    if (!found || !*found) return consume();
    target = (*found)->id;
  }
  Command c;
  c.instance_id = target;
  c.event.type = Event::Type::signal;
  c.event.name = p.value("name", std::string());
  c.event.correlation = p.value("correlation", nlohmann::json());
  c.event.payload = p.value("payload", nlohmann::json());
  c.extra_outbox_done.push_back(outbox_id);
  c.done = [consume](Result<InstanceRecord> r) {
    if (!r) consume();
  };
  enqueue(std::move(c));
}

Event Executor::run_score(const OutboxRecord& effect) {
  Event e;
  e.type = Event::Type::effect_result;
  e.effect_id = effect.id;
  e.ok = false;
  e.error = "scorer_error";
  const nlohmann::json& p = effect.payload;
  std::string model = p.value("model", std::string());
  if (!scorers_) {
    e.message = "no model registry is configured, so model '" + model + "' cannot be scored";
    return e;
  }
  auto score_one = [&](const std::string& ref, std::size_t explain) -> Result<nlohmann::json> {
    auto scorer = scorers_->resolve(ref);
    if (!scorer) return scorer.error();
    const auto& info = (*scorer)->info();
    std::vector<double> x;
    const nlohmann::json& features = p.at("features");
    for (const auto& name : info.features) {
      auto it = features.find(name);
      x.push_back(it == features.end() || !it->is_number() ? std::nan("") : it->get<double>());
    }
    auto s = (*scorer)->score(x, explain);
    if (!s) return s.error();
    nlohmann::json out = {{"model", info.name}, {"version", info.version}, {"score", s->score}};
    if (s->probability) out["probability"] = *s->probability;
    if (!s->label.empty()) out["label"] = s->label;
    nlohmann::json contributions = nlohmann::json::array();
    for (const auto& c : s->contributions)
      contributions.push_back({{"feature", c.feature}, {"value", c.value}});
    out["contributions"] = std::move(contributions);
    out["bias"] = s->bias;
    if (!s->explanation.empty()) out["explanation"] = s->explanation;
    return out;
  };
  try {
    auto main = score_one(model, p.value("explain", 0));
    if (!main) {
      e.message = "model '" + model + "': " + main.error().message;
      return e;
    }
    nlohmann::json out = std::move(*main);
    // Sensitive values only as pseudonyms (step() put them in recorded_features).
    out["features"] = p.contains("recorded_features") ? p["recorded_features"] : p.at("features");
    nlohmann::json shadows = nlohmann::json::array();
    for (const auto& ref : p.value("shadow", std::vector<std::string>())) {
      auto s = score_one(ref, 0);
      shadows.push_back(s ? nlohmann::json{{"model", (*s)["model"]},
                                           {"version", (*s)["version"]},
                                           {"score", (*s)["score"]}}
                          : nlohmann::json{{"model", ref}, {"error", s.error().message}});
    }
    out["shadow"] = std::move(shadows);
    e.ok = true;
    e.error.clear();
    e.output = std::move(out);
  } catch (const std::exception& ex) {
    e.message = "model '" + model + "' failed: " + ex.what();
  }
  return e;
}

Result<void> Executor::recover() {
  // Page through every stored timer and outbox entry: a crash can leave any number.
  std::int64_t due = std::numeric_limits<std::int64_t>::min();
  std::string after;
  for (;;) {
    auto page = store_.timers_page(due, after, 1000);
    if (!page) return page.error();
    if (page->empty()) break;
    due = page->back().due_at_us;
    after = page->back().id;
    std::lock_guard lock(timers_mu_);
    for (auto& t : *page) add_timer(std::move(t));
  }
  std::vector<OutboxRecord> pending;
  std::int64_t created = std::numeric_limits<std::int64_t>::min();
  after.clear();
  for (;;) {
    auto page = store_.outbox_page(created, after, 1000);
    if (!page) return page.error();
    if (page->empty()) break;
    created = page->back().created_at_us;
    after = page->back().id;
    for (auto& e : *page) pending.push_back(std::move(e));
  }
  for (auto& e : pending) dispatch_effect(std::move(e));
  return {};
}

void Executor::add_timer(TimerRecord t) {
  remove_timer(t.id);
  timer_due_[t.id] = t.due_at_us;
  std::int64_t due = t.due_at_us;
  timers_.emplace(due, std::move(t));
}

void Executor::remove_timer(const std::string& id) {
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return;
  auto [lo, hi] = timers_.equal_range(it->second);
  for (auto t = lo; t != hi; ++t) {
    if (t->second.id == id) {
      timers_.erase(t);
      break;
    }
  }
  timer_due_.erase(it);
}

std::size_t Executor::fire_due_timers() {
  std::vector<TimerRecord> due;
  {
    std::lock_guard lock(timers_mu_);
    std::int64_t now = clock_.now_us();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      TimerRecord t = std::move(timers_.begin()->second);
      timers_.erase(timers_.begin());
      timer_due_.erase(t.id);
      due.push_back(std::move(t));
    }
  }
  for (auto& t : due) {
    Event e;
    e.type = Event::Type::timer_fired;
    e.timer_id = t.id;
    e.payload = t.payload;
    send(t.instance_id, std::move(e), Actor{}, nullptr);
  }
  return due.size();
}

std::optional<std::int64_t> Executor::next_timer_due() const {
  std::lock_guard lock(timers_mu_);
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first;
}

void Executor::run_timer_thread() {
  if (timer_thread_.joinable()) return;
  timer_thread_ = std::thread([this] {
    while (!stopping_) {
      fire_due_timers();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

Executor::Stats Executor::stats() const {
  return Stats{transitions_.load(), commands_.load()};
}

}  // namespace ledgerflow::rt
