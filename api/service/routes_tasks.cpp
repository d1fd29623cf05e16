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

}  // namespace

void ApiService::task_command(const Request& req, Responder res, rt::Event::Type type) {
  now(req, std::move(res), Access::write,
      [this, type](const Principal& p, const Request& rq, std::shared_ptr<Responder> out) {
        std::set<std::string> allowed;
        if (type == rt::Event::Type::task_complete) allowed = {"outcome", "comment"};
        if (type == rt::Event::Type::task_delegate) allowed = {"to", "comment"};
        auto body = parse_object_body(rq.body(), allowed);
        if (!body) {
          (*out)(http::problem_from_error(body.error()));
          return;
        }
        rt::Event e;
        e.type = type;
        e.task_id = std::string(rq.param("id").value_or(""));
        auto text = [&](const char* field, bool required, std::string& into) -> bool {
          auto it = body->find(field);
          if (it == body->end()) {
            if (!required) return true;
            (*out)(http::problem(400, "Bad Request", std::string("missing field '") + field + "'"));
            return false;
          }
          if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxCommentBytes) {
            (*out)(http::problem(400, "Bad Request",
                                 std::string("'") + field + "' must be a string of at most " +
                                     std::to_string(kMaxCommentBytes) + " bytes"));
            return false;
          }
          into = it->get<std::string>();
          return true;
        };
        if (type == rt::Event::Type::task_complete) {
          if (!text("outcome", true, e.outcome) || !text("comment", false, e.comment)) return;
        }
        if (type == rt::Event::Type::task_delegate) {
          if (!text("to", true, e.to) || !text("comment", false, e.comment)) return;
          if (!auth_.user(e.to)) {
            (*out)(http::problem(422, "Unprocessable Entity",
                                 "cannot delegate to unknown user '" + e.to + "'"));
            return;
          }
        }
        boost::asio::post(pool_, [this, p, e = std::move(e), out]() mutable {
          auto task = host_.store().task(e.task_id);
          if (!task) {
            (*out)(http::problem_from_error(task.error()));
            return;
          }
          if (!may_see_task(p, *task)) {
            (*out)(not_a_candidate(p, e.task_id));
            return;
          }
          host_.executor().send(task->instance_id, std::move(e), rt::Actor{p.user, p.roles},
                                [this, out](Result<rt::InstanceRecord> r) {
                                  answer_command(out, std::move(r), 200);
                                });
        });
      });
}

Result<void> ApiService::add_task_routes(http::Router& router) {
  if (auto r = router.add(
          "GET", "/v1/tasks",
          [this](const Request& req, Responder res) {
            on_pool(req, std::move(res), Access::read,
                    [this](const Principal& p, const Request& rq) {
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
                                "status must be open, completed, cancelled or all, got '" +
                                    std::string(*s) + "'");
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
                      return page_response(
                          *rows, *limit, [this](const rt::TaskRecord& t) { return task_view(t); });
                    });
          });
      !r)
    return r;

  if (auto r = router.add("GET", "/v1/tasks/{id}",
                          [this](const Request& req, Responder res) {
                            on_pool(req, std::move(res), Access::read,
                                    [this](const Principal& p, const Request& rq) {
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
                                    });
                          });
      !r)
    return r;

  if (auto r = router.add("POST", "/v1/tasks/{id}/claim",
                          [this](const Request& req, Responder res) {
                            task_command(req, std::move(res), rt::Event::Type::task_claim);
                          });
      !r)
    return r;
  if (auto r = router.add("POST", "/v1/tasks/{id}/complete",
                          [this](const Request& req, Responder res) {
                            task_command(req, std::move(res), rt::Event::Type::task_complete);
                          });
      !r)
    return r;
  return router.add("POST", "/v1/tasks/{id}/delegate", [this](const Request& req, Responder res) {
    task_command(req, std::move(res), rt::Event::Type::task_delegate);
  });
}

}  // namespace ledgerflow::api
