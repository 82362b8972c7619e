// Implementation of server/shadow.h: one worker thread, a bounded job queue, the candidates
// answered through the Server's shared local-model instances, relabel rows through the capture
// queue (spooled like traces, so they survive a crash too).
#include "server/shadow.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/file_list.h"
#include "core/picker_call.h"
#include "pipeline/relabel/relabel.h"
#include "providers/student_names.h"
#include "server/server.h"

namespace pt::server {

Result<std::unique_ptr<Shadow>> Shadow::start(Server& server, const std::vector<std::string>& candidates) {
  std::vector<std::string> ids;
  for (const auto& c : candidates) {
    if (c.rfind("local:", 0) != 0)
      return usage_error("--shadow " + c + ": shadow candidates are local models (local:bm25, local:student@NAME)");
    std::mutex* lock = nullptr;
    auto model = server.local_model(c, lock);
    if (!model.ok()) return usage_error("--shadow " + c + ": " + model.error().message);
    ids.push_back((*model)->id());
  }
  std::unique_ptr<Shadow> s(new Shadow(server, std::move(ids)));
  if (!s->ids_.empty()) s->thread_ = std::thread([p = s.get()] { p->run(); });
  return s;
}

Shadow::~Shadow() { drain(); }

void Shadow::submit(const Row& trace) {
  if (ids_.empty()) return;
  std::lock_guard<std::mutex> g(mu_);
  if (stopping_ || jobs_.size() >= kMaxQueued) {
    dropped_ += static_cast<int64_t>(ids_.size());
    return;
  }
  jobs_.push_back(trace);
  cv_.notify_one();
}

void Shadow::drain() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

int64_t Shadow::answered() const {
  std::lock_guard<std::mutex> g(mu_);
  return answered_;
}
int64_t Shadow::dropped() const {
  std::lock_guard<std::mutex> g(mu_);
  return dropped_;
}

void Shadow::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, everything answered
    Row trace = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    answer(trace);
    lock.lock();
  }
}

void Shadow::answer(const Row& trace) {
  using nlohmann::json;
  auto call = parse_picker_call(trace.payload);
  for (const auto& id : ids_) {
    int64_t ok_count = 0;
    if (call.ok()) {
      std::mutex* model_lock = nullptr;
      auto model = server_.local_model(id, model_lock);
      if (model.ok()) {
        auto started = std::chrono::steady_clock::now();
        Result<Completion> done = runtime_error("");
        {
          std::lock_guard<std::mutex> g(*model_lock);
          done = (*model)->answer(TeacherInput{&call.value(), ""});
        }
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (done.ok()) {
          // The shape `eval relabel` writes (pipeline/relabel/relabel_item.cpp), plus "shadow": true.
          json payload = json::object();
          if (is_known(call->request_kind)) payload["request_type"] = std::string(to_string(call->request_kind));
          payload["output"] = done->text;
          payload["files"] = parse_file_list(done->text);
          payload["usage"] = {{"input_tokens", done->usage.input_tokens},
                              {"output_tokens", done->usage.output_tokens},
                              {"cached_input_tokens", done->usage.cached_input_tokens}};
          payload["cost_usd"] = 0.0;
          payload["latency_ms"] = static_cast<int64_t>(ms + 0.5);
          payload["trace_id"] = trace.id;
          payload["with_context"] = false;
          payload["shadow"] = true;
          SpooledRow r;
          r.table = Table::relabels;
          r.row.id = relabel_row_id(id, trace.id, false);
          r.row.agent_step_id = trace.agent_step_id;
          r.row.user_id = trace.user_id;
          r.row.created_at_us =
              std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
          r.row.model = id;
          r.row.payload = payload.dump(-1, ' ', false, json::error_handler_t::replace);
          if (server_.queue().push(std::move(r)).ok()) ok_count = 1;
        }
      }
    }
    std::lock_guard<std::mutex> g(mu_);
    (ok_count ? answered_ : dropped_) += 1;
  }
}

}  // namespace pt::server
