// /v1/tasks: the caller's inbox, one task, and claim / complete / delegate.
#include <boost/asio/post.hpp>
#include <charconv>

#include "api/http/problem.h"
#include "api/service/api_service.h"

namespace ledgerflow::api {
namespace {

using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t kMaxCommentBytes = 4000;

Response not_a_candidate(const Principal& p, const std::string& task_id) {
  return http::problem(403, "Forbidden",
                       "user '" + p.user + "' is not a candidate for task '" + task_id + "'",
                       {{"code", "forbidden"}});
}

// A string field of a task command's body: absent (fine unless required) or a string of at
// most kMaxCommentBytes. invalid_argument otherwise.
Result<void> text_field(const nlohmann::json& body, const char* field, bool required,
                        std::string& into) {
  auto it = body.find(field);
  if (it == body.end()) {
    if (!required) return {};
    return Error::invalid(std::string("missing field '") + field + "'");
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxCommentBytes) {
    return Error::invalid(std::string("'") + field + "' must be a string of at most " +
                          std::to_string(kMaxCommentBytes) + " bytes");
  }
  into = it->get<std::string>();
  return {};
}

std::set<std::string> allowed_fields(rt::Event::Type type) {
  if (type == rt::Event::Type::task_complete) return {"outcome", "comment"};
  if (type == rt::Event::Type::task_delegate) return {"to", "comment"};
  return {};
}

// The event of a claim / complete / delegate request, from its body's fields.
Result<rt::Event> task_event(const Request& rq, const nlohmann::json& body, rt::Event::Type type) {
  rt::Event e;
  e.type = type;
  e.task_id = std::string(rq.param("id").value_or(""));
  if (type == rt::Event::Type::task_complete) {
    LF_TRY(text_field(body, "outcome", true, e.outcome));
    LF_TRY(text_field(body, "comment", false, e.comment));
  }
  if (type == rt::Event::Type::task_delegate) {
    LF_TRY(text_field(body, "to", true, e.to));
    LF_TRY(text_field(body, "comment", false, e.comment));
  }
  return e;
}

}  // namespace

void ApiService::claim_task(const Principal& p, const Request& rq, std::shared_ptr<Responder> out) {
  task_command(p, rq, std::move(out), rt::Event::Type::task_claim);
}

void ApiService::complete_task(const Principal& p, const Request& rq,
                               std::shared_ptr<Responder> out) {
  task_command(p, rq, std::move(out), rt::Event::Type::task_complete);
}

void ApiService::delegate_task(const Principal& p, const Request& rq,
                               std::shared_ptr<Responder> out) {
  task_command(p, rq, std::move(out), rt::Event::Type::task_delegate);
}

void ApiService::task_command(const Principal& p, const Request& rq, std::shared_ptr<Responder> out,
                              rt::Event::Type type) {
  auto body = parse_object_body(rq.body(), allowed_fields(type));
  if (!body) {
    (*out)(http::problem_from_error(body.error()));
    return;
  }
  auto e = task_event(rq, *body, type);
  if (!e) {
    (*out)(http::problem(400, "Bad Request", e.error().message));
    return;
  }
  if (type == rt::Event::Type::task_delegate) {
    auto target = auth_.user(e->to);
    if (!target) {
      (*out)(http::problem(422, "Unprocessable Entity",
                           "cannot delegate to unknown user '" + e->to + "'"));
      return;
    }
    e->to_roles = target->roles;  // the engine checks the delegate may act on the task
  }
  boost::asio::post(pool_, [this, p, e = std::move(*e), out]() mutable {
    send_task_event(p, std::move(e), std::move(out));
  });
}

// On the pool: the caller must be able to see the task; the engine then decides whether
// they may act on it (candidates, segregation of duties).
void ApiService::send_task_event(const Principal& p, rt::Event e, std::shared_ptr<Responder> out) {
  auto task = host_.store().task(e.task_id);
  if (!task) {
    (*out)(http::problem_from_error(task.error()));
    return;
  }
  if (!may_see_task(p, *task)) {
    (*out)(not_a_candidate(p, e.task_id));
    return;
  }
  host_.executor().send(
      task->instance_id, std::move(e), rt::Actor{p.user, p.roles},
      [this, out](Result<rt::InstanceRecord> r) { answer_command(out, std::move(r), 200); });
}

http::Response ApiService::list_tasks(const Principal& p, const http::Request& rq) {
  rt::TaskFilter f;
  f.status = rt::TaskStatus::open;
  if (auto s = rq.query_param("status")) {
    if (*s == "all") {
      f.status.reset();
    } else {
      f.status = rt::task_status_from(*s);
      if (!f.status) {
        return http::problem(
            400, "Bad Request",
            "status must be open, completed, cancelled or all, got '" + std::string(*s) + "'");
      }
    }
  }
  bool mine = true;
  if (auto m = rq.query_param("mine")) {
    if (*m != "true" && *m != "false") {
      return http::problem(400, "Bad Request", "mine must be true or false");
    }
    mine = *m == "true";
  }
  // Only admins and auditors may list tasks that are not theirs.
  if (!p.sees_everything()) mine = true;
  if (mine) {
    f.candidate_user = p.user;
    f.candidate_roles = p.roles;
  }
  if (auto i = rq.query_param("instance_id")) f.instance_id = std::string(*i);
  if (auto c = rq.query_param("cursor")) f.after_id = std::string(*c);
  auto limit = parse_limit(rq);
  if (!limit) return http::problem_from_error(limit.error());
  f.limit = *limit + 1;  // one more tells whether there is a next page
  auto rows = host_.store().tasks(f);
  if (!rows) return http::problem_from_error(rows.error());
  return page_response(*rows, *limit, [this](const rt::TaskRecord& t) { return task_view(t); });
}

http::Response ApiService::get_task(const Principal& p, const http::Request& rq) {
  const std::string id(rq.param("id").value_or(""));
  auto t = host_.store().task(id);
  if (!t) return http::problem_from_error(t.error());
  if (!may_see_task(p, *t)) {
    return not_a_candidate(p, id);
  }
  nlohmann::json view = task_view(*t);
  if (auto inst = host_.store().instance(t->instance_id)) {
    view["instance"] = instance_view(*inst);
  }
  return Response::json(200, view);
}

}  // namespace ledgerflow::api
