// Shadow mode (`serve --shadow CANDIDATE`, repeatable): every captured picker call that got an
// answer is answered again by each local candidate on a background thread (never on the request's
// path), and the answer is queued as a relabel of that candidate (model = its canonical id, joined
// to the trace by trace_id), so `eval score --models CANDIDATE --reference PRODUCTION` compares them.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/row.h"
#include "util/result.h"

namespace pt::server {

class Server;

class Shadow {
 public:
  // Checks every candidate now (a local model that loads): a bad one is a usage error at start.
  static Result<std::unique_ptr<Shadow>> start(Server& server, const std::vector<std::string>& candidates);
  ~Shadow();
  // Queues a captured trace (its row, payload included) for every candidate; never blocks on a model.
  void submit(const Row& trace);
  // Answers everything queued, then stops the thread. Idempotent.
  void drain();
  int64_t answered() const;
  int64_t dropped() const;  // queue full (kMaxQueued) or the candidate failed on the call

 private:
  Shadow(Server& server, std::vector<std::string> ids) : server_(server), ids_(std::move(ids)) {}
  void run();
  void answer(const Row& trace);
  static constexpr size_t kMaxQueued = 10000;

  Server& server_;
  std::vector<std::string> ids_;  // canonical candidate ids
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Row> jobs_;
  bool stopping_ = false;
  int64_t answered_ = 0, dropped_ = 0;
  std::thread thread_;
};

}  // namespace pt::server
