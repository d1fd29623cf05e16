// /v1/workflows/{name}/instances (start) and /v1/instances: list, get, history, signals,
// cancel.
#include <boost/asio/post.hpp>
#include <charconv>

#include "api/http/problem.h"
#include "api/service/api_service.h"
#include "api/service/masking.h"
#include "engine/expr/json_input.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::api {
namespace {

using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t kMaxKeyBytes = 200;

bool sane_key(std::string_view k) {
  if (k.empty() || k.size() > kMaxKeyBytes) return false;
  for (unsigned char c : k) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Runs `start` through the executor. When its write lost a race on its Idempotency-Key (a
// concurrent request with the same key committed first), runs it again on `pool`: the
// executor then finds the stored key and replays that instance if the request is the same,
// or refuses it (conflict) if it is not. Never answers a request with the instance of a
// different request.
void run_start(rt::Executor& executor, boost::asio::thread_pool& pool, rt::StartRequest start,
               int retries, std::function<void(Result<rt::InstanceRecord>)> done) {
  rt::StartRequest again = start;
  executor.start(std::move(start), [&executor, &pool, again = std::move(again), retries,
                                    done = std::move(done)](Result<rt::InstanceRecord> r) mutable {
    // A concurrent request with the same Idempotency-Key may commit first and also take
    // the business key: either conflict means "look again", and the retry replays it.
    if (!r && retries > 0 && !again.idempotency_key.empty() &&
        (r.error().is(ErrorReason::idempotency_key_taken) ||
         r.error().is(ErrorReason::business_key_taken))) {
      boost::asio::post(pool, [&executor, &pool, again = std::move(again), retries,
                               done = std::move(done)]() mutable {
        run_start(executor, pool, std::move(again), retries - 1, std::move(done));
      });
      return;
    }
    done(std::move(r));
  });
}

// The start request of POST /v1/workflows/{name}/instances: the body is the input
// document; ?business_key= and the Idempotency-Key header are optional. invalid_argument
// (answered 400) for a malformed body or key.
Result<rt::StartRequest> start_request(const Principal& p, const http::Request& rq) {
  rt::StartRequest start;
  start.workflow = std::string(rq.param("name").value_or(""));
  start.actor = rt::Actor{p.user, p.roles};
  if (!rq.body().empty()) {
    auto input = expr::parse_json_input(rq.body());
    if (!input) return Error::invalid("the request body: " + input.error().message);
    start.input = std::move(*input);
    if (!start.input.is_object()) {
      return Error::invalid("the request body (the instance's input) must be a JSON object");
    }
  }
  if (auto bk = rq.query_param("business_key")) {
    if (!sane_key(*bk)) return Error::invalid("business_key must be 1-200 printable characters");
    start.business_key = std::string(*bk);
  }
  if (auto key = rq.header("Idempotency-Key")) {
    if (!sane_key(*key)) {
      return Error::invalid("Idempotency-Key must be 1-200 printable characters");
    }
    // Keys are per user: two users can never collide or replay each other.
    start.idempotency_key = p.user + "\n" + std::string(*key);
  }
  return start;
}

// Conflicts are answered in the client's terms: the engine's messages name the per-user
// key ("user\nkey"), SQL and the database file.
Result<rt::InstanceRecord> in_client_terms(Result<rt::InstanceRecord> r,
                                           const std::string& client_key,
                                           const std::string& workflow,
                                           const std::string& business_key) {
  if (r) return r;
  if (!client_key.empty() && r.error().is(ErrorReason::idempotency_key_reused)) {
    return Error{ErrorCode::conflict,
                 "Idempotency-Key '" + client_key + "' was already used with a different request",
                 ErrorReason::idempotency_key_reused};
  }
  if (!business_key.empty() && r.error().is(ErrorReason::business_key_taken)) {
    return Error{
        ErrorCode::conflict,
        "business key '" + business_key + "' is already used in workflow '" + workflow + "'",
        ErrorReason::business_key_taken};
  }
  return r;
}

}  // namespace

void ApiService::start_instance(const Principal& p, const http::Request& rq,
                                std::shared_ptr<http::Responder> out) {
  auto start = start_request(p, rq);
  if (!start) {
    (*out)(http::problem(400, "Bad Request", start.error().message));
    return;
  }
  const std::string client_key(rq.header("Idempotency-Key").value_or(""));
  const std::string workflow = start->workflow;
  const std::string business_key = start->business_key;
  run_start(host_.executor(), pool_, std::move(*start), 3,
            [this, out, client_key, workflow, business_key](Result<rt::InstanceRecord> r) {
              answer_command(out, in_client_terms(std::move(r), client_key, workflow, business_key),
                             201);
            });
}

http::Response ApiService::list_instances(const Principal& p, const http::Request& rq) {
  rt::InstanceFilter f;
  if (auto w = rq.query_param("workflow")) f.workflow = std::string(*w);
  if (auto s = rq.query_param("status")) {
    f.status = rt::instance_status_from(*s);
    if (!f.status) {
      return http::problem(400, "Bad Request",
                           "status must be running, waiting, succeeded, failed or "
                           "cancelled, got '" +
                               std::string(*s) + "'");
    }
  }
  if (auto b = rq.query_param("business_key")) f.business_key = std::string(*b);
  if (auto c = rq.query_param("created_after")) {
    auto t = expr::parse_timestamp(*c);
    if (!t) {
      return http::problem(400, "Bad Request",
                           "created_after must be an RFC 3339 timestamp, e.g. "
                           "2026-01-31T00:00:00Z, got '" +
                               std::string(*c) + "'");
    }
    f.created_after_us = *t;
  }
  if (auto c = rq.query_param("cursor")) f.after_id = std::string(*c);
  auto limit = parse_limit(rq);
  if (!limit) return http::problem_from_error(limit.error());
  f.limit = *limit + 1;  // one more tells whether there is a next page
  auto rows = host_.store().instances(f);
  if (!rows) return http::problem_from_error(rows.error());
  // Read scopes filter the page after the query: a page may hold fewer than `limit` items
  // while next_cursor still leads on (it is the last row scanned, seen or not).
  return page_response(*rows, *limit, [this](const rt::InstanceRecord& row) { return instance_view(row); },
                       [&](const rt::InstanceRecord& row) { return may_read(p, row, false); });
}

http::Response ApiService::get_instance(const Principal& p, const http::Request& rq) {
  const std::string id(rq.param("id").value_or(""));
  auto rec = host_.store().instance(id);
  if (!rec) return http::problem_from_error(rec.error());
  if (!may_read(p, *rec)) return not_found_instance(id);
  nlohmann::json view = instance_view(*rec);
  rt::TaskFilter tf;
  tf.instance_id = id;
  tf.limit = 100;
  nlohmann::json tasks = nlohmann::json::array();
  if (auto ts = host_.store().tasks(tf)) {
    for (const auto& t : *ts) {
      if (may_see_task(p, t)) tasks.push_back(task_view(t));
    }
  }
  view["tasks"] = std::move(tasks);
  return Response::json(200, view);
}

http::Response ApiService::instance_history(const Principal& p, const http::Request& rq) {
  const std::string id(rq.param("id").value_or(""));
  std::uint64_t after = 0;
  if (auto a = rq.query_param("after")) {
    auto [ptr, ec] = std::from_chars(a->data(), a->data() + a->size(), after);
    if (ec != std::errc() || ptr != a->data() + a->size()) {
      return http::problem(400, "Bad Request", "after must be a history seq number");
    }
  }
  auto limit = parse_limit(rq);
  if (!limit) return http::problem_from_error(limit.error());
  auto rec = host_.store().instance(id);
  if (!rec) return http::problem_from_error(rec.error());
  if (!may_read(p, *rec)) return not_found_instance(id);
  auto rows = host_.store().history(id, after, *limit);
  if (!rows) return http::problem_from_error(rows.error());
  const auto keys = mask_for_definition(rec->workflow, rec->version);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& h : *rows) {
    nlohmann::json data = h.data;
    mask_json(data, keys);
    items.push_back({{"seq", h.seq},
                     {"at", expr::format_timestamp(h.at_us)},
                     {"type", h.type},
                     {"state", h.state},
                     {"actor", h.actor},
                     {"data", std::move(data)}});
  }
  nlohmann::json body = {{"instance_id", id}, {"items", std::move(items)}};
  body["next_after"] = rows->size() == *limit ? nlohmann::json(rows->back().seq) : nlohmann::json();
  return Response::json(200, body);
}

void ApiService::signal_instance(const Principal& p, const http::Request& rq,
                                 std::shared_ptr<http::Responder> out) {
  auto body = parse_object_body(rq.body(), {"payload", "correlation"});
  if (!body) {
    (*out)(http::problem_from_error(body.error()));
    return;
  }
  rt::Event e;
  e.type = rt::Event::Type::signal;
  e.name = std::string(rq.param("name").value_or(""));
  e.payload = body->value("payload", nlohmann::json::object());
  e.correlation = body->value("correlation", nlohmann::json());
  host_.executor().send(
      std::string(rq.param("id").value_or("")), std::move(e), rt::Actor{p.user, p.roles},
      [this, out](Result<rt::InstanceRecord> r) { answer_command(out, std::move(r), 200); });
}

void ApiService::cancel_instance(const Principal& p, const http::Request& rq,
                                 std::shared_ptr<http::Responder> out) {
  auto body = parse_object_body(rq.body(), {"reason"});
  if (!body) {
    (*out)(http::problem_from_error(body.error()));
    return;
  }
  if (body->contains("reason") && !(*body)["reason"].is_string()) {
    (*out)(http::problem(400, "Bad Request", "reason must be a string"));
    return;
  }
  const std::string id(rq.param("id").value_or(""));
  const std::string reason = body->value("reason", std::string());
  boost::asio::post(pool_, [this, p, id, reason, out] {
    auto rec = host_.store().instance(id);
    if (!rec) {
      (*out)(http::problem_from_error(rec.error()));
      return;
    }
    if (!p.is_admin() && rec->created_by != p.user) {
      (*out)(
          http::problem(403, "Forbidden",
                        "only the user who started instance '" + id + "' or an admin may cancel it",
                        {{"code", "forbidden"}}));
      return;
    }
    rt::Event e;
    e.type = rt::Event::Type::cancel;
    e.comment = reason;
    host_.executor().send(
        id, std::move(e), rt::Actor{p.user, p.roles},
        [this, out](Result<rt::InstanceRecord> r) { answer_command(out, std::move(r), 200); });
  });
}

}  // namespace ledgerflow::api
