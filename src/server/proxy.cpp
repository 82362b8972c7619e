// The capture routes (docs/formats.md#cli-contract): forward to the upstream with the caller's own headers (keys pass
// through, never stored), pass status/headers/body back unchanged (SSE streamed chunk by chunk
// through a helper thread), answer `local:` models in-process, and queue one trace per call.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <random>
#include <thread>

#include "core/picker_call.h"
#include "net/http_session.h"
#include "server/payload_text.h"
#include "server/server.h"
#include "server/wire.h"

namespace pt::server {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string new_trace_id() {
  thread_local std::mt19937_64 rng(std::random_device{}() ^
                                   static_cast<uint64_t>(Clock::now().time_since_epoch().count()));
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Request headers not forwarded: hop-by-hop, ours, and cpp-httplib's synthetic ones.
bool forward_request_header(const std::string& lname) {
  static const char* drop[] = {"host",       "content-length",  "connection",  "transfer-encoding",
                               "keep-alive", "accept-encoding", "remote_addr", "remote_port",
                               "local_addr", "local_port",      "expect",      "upgrade"};
  for (const char* d : drop)
    if (lname == d) return false;
  return lname.rfind("x-picktune-", 0) != 0;
}
bool pass_response_header(const std::string& lname) {
  return lname != "content-length" && lname != "transfer-encoding" && lname != "connection" && lname != "keep-alive" &&
         lname != "content-type";
}

struct CallMeta {
  Provider provider;
  std::string trace_id, agent_step_id, user_id, type;
  Clock::time_point started;
  int64_t created_at_us = 0;
  // The request's payload members (system, messages, model, request_type), each serialized once
  // per call; shared, so the streaming path's callbacks copy a pointer, not the file tree.
  std::shared_ptr<const MemberTexts> request;
};

// Takes the request's payload members out of `wr` (the streaming path copies `wr` into its callbacks).
CallMeta read_meta(Provider p, const httplib::Request& req, WireRequest& wr) {
  CallMeta m;
  m.provider = p;
  m.trace_id = new_trace_id();
  m.agent_step_id = req.get_header_value("X-Picktune-Agent-Step");
  m.user_id = req.get_header_value("X-Picktune-User");
  if (m.user_id.empty()) m.user_id = wr.user_id;
  m.type = req.get_header_value("X-Picktune-Type");
  if (m.type.empty()) m.type = std::string(kGetRelevantFiles);
  m.started = Clock::now();
  m.created_at_us = now_us();
  m.request = std::make_shared<const MemberTexts>(std::move(wr.payload));
  wr.payload.clear();
  return m;
}

// Queues the trace; returns false (and logs) when even the spool failed.
void record(Server& s, const CallMeta& m, const WireRequest& wr, const std::string& output, const WireUsage& u,
            double upstream_ms, int status, const std::string& error) {
  // The per-call members, joined with the request's (serialized once in read_meta) into the
  // same text dumping the whole payload object gives.
  MemberTexts pl;
  append_string_text(pl["output"], output);
  pl["usage"] = json_text({{"input_tokens", u.input_tokens},
                           {"output_tokens", u.output_tokens},
                           {"cached_input_tokens", u.cached_input_tokens}});
  double total_ms = std::chrono::duration<double, std::milli>(Clock::now() - m.started).count();
  pl["latency_ms"] = json_text(total_ms);
  pl["upstream_latency_ms"] = json_text(upstream_ms);
  pl["provider"] = json_text(std::string(provider_name(m.provider)));
  pl["stream"] = json_text(wr.stream);
  pl["status"] = json_text(status);
  if (!error.empty()) append_string_text(pl["error"], error);
  SpooledRow r;
  r.table = Table::traces;
  r.row.id = m.trace_id;
  r.row.agent_step_id = m.agent_step_id;
  r.row.user_id = m.user_id;
  r.row.created_at_us = m.created_at_us;
  r.row.type = m.type;
  r.row.payload = object_text(*m.request, pl);
  // Shadow candidates answer the calls that got an answer (off this path: a queue and a thread).
  bool shadow = status == 200 && error.empty() && m.type == kGetRelevantFiles;
  if (shadow) s.shadow().submit(r.row);
  auto pushed = s.queue().push(std::move(r));
  if (!pushed.ok())
    std::fprintf(stderr, "picktune serve: trace %s lost: %s\n", m.trace_id.c_str(), pushed.error().message.c_str());
  if (upstream_ms > 0) {
    s.metrics().upstream_ms_total_us += static_cast<int64_t>(upstream_ms * 1000);
    s.metrics().added_us_total += static_cast<int64_t>(std::max(0.0, total_ms - upstream_ms) * 1000);
  }
}

std::string transport_message(const HttpResponse& r) { return "upstream " + r.transport_error; }

void answer_local(Server& s, const CallMeta& m, const WireRequest& wr, httplib::Response& res) {
  auto fail = [&](int status, const std::string& msg) {
    res.status = status;
    res.set_content(wire_error(m.provider, status, msg), "application/json");
  };
  std::mutex* lock = nullptr;
  auto model = s.local_model(wr.model, lock);
  if (!model.ok()) return fail(400, "model " + wr.model + ": " + model.error().message);
  auto call = parse_picker_call(object_text(*m.request));
  if (!call.ok()) return fail(400, call.error().message);
  Result<Completion> done = runtime_error("");
  {
    std::lock_guard<std::mutex> g(*lock);
    done = (*model)->answer(TeacherInput{&call.value(), ""});
  }
  if (!done.ok()) return fail(500, "model " + wr.model + ": " + done.error().message);
  ++s.metrics().local_answers;
  WireUsage u{done->usage.input_tokens, done->usage.output_tokens, 0};
  res.status = 200;
  res.set_header("X-Picktune-Trace-Id", m.trace_id);
  record(s, m, wr, done->text, u, 0, 200, "");
  if (wr.stream)
    res.set_content(wire_answer_stream(m.provider, wr.model, m.trace_id, done->text, u), "text/event-stream");
  else
    res.set_content(wire_answer(m.provider, wr.model, m.trace_id, done->text, u), "application/json");
}

// State shared between the request thread (writing to the client) and the upstream thread.
struct Stream {
  std::mutex mu;
  std::condition_variable cv;
  bool head = false, done = false, client_gone = false, recorded = false;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::deque<std::string> chunks;
  HttpResponse final;
  std::thread worker;
};

void forward(Server& s, const CallMeta& m, const WireRequest& wr, const httplib::Request& req, httplib::Response& res,
             const std::string& url) {
  HttpRequest up;
  up.url = url;
  up.body = req.body;
  up.timeout_ms = s.options().upstream_timeout_ms;
  for (const auto& [k, v] : req.headers)
    if (std::string l = lower(k); forward_request_header(l)) up.headers.emplace_back(k, v);
  ++s.metrics().upstream_calls;
  res.set_header("X-Picktune-Trace-Id", m.trace_id);

  if (!wr.stream) {
    HttpResponse r = http_session_call(up);
    if (r.status == 0) {
      ++s.metrics().upstream_errors;
      int status = r.timed_out ? 504 : 502;
      res.status = status;
      res.set_content(wire_error(m.provider, status, transport_message(r)), "application/json");
      record(s, m, wr, "", {}, r.elapsed_ms, status, transport_message(r));
      return;
    }
    std::string text, error;
    WireUsage u;
    if (r.status >= 400) {
      ++s.metrics().upstream_errors;
      error = "upstream status " + std::to_string(r.status);
    } else if (!parse_wire_response(m.provider, r.body, text, u)) {
      error = "upstream body is not a " + std::string(provider_name(m.provider)) + " response";
    }
    std::string ctype = r.header("content-type").value_or("application/json");
    for (const auto& [k, v] : r.headers)
      if (pass_response_header(k)) res.set_header(k, v);
    res.status = r.status;
    record(s, m, wr, text, u, r.elapsed_ms, r.status, error);
    res.set_content(std::move(r.body), ctype);
    return;
  }

  auto st = std::make_shared<Stream>();
  st->worker = std::thread([st, up = std::move(up)] {
    HttpSink sink;
    sink.on_head = [&](int status, const std::vector<std::pair<std::string, std::string>>& headers) {
      std::lock_guard<std::mutex> g(st->mu);
      st->head = true;
      st->status = status;
      st->headers = headers;
      st->cv.notify_all();
    };
    sink.on_body = [&](std::string_view chunk) {
      std::lock_guard<std::mutex> g(st->mu);
      if (st->client_gone) return false;
      st->chunks.emplace_back(chunk);
      st->cv.notify_all();
      return true;
    };
    HttpResponse r = http_session_call(up, &sink);
    std::lock_guard<std::mutex> g(st->mu);
    st->final = std::move(r);
    st->done = true;
    st->cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(st->mu);
    st->cv.wait(lock, [&] { return st->head || st->done; });
    if (!st->head) {  // no response head at all: a transport failure
      lock.unlock();
      st->worker.join();
      ++s.metrics().upstream_errors;
      int status = st->final.timed_out ? 504 : 502;
      res.status = status;
      res.set_content(wire_error(m.provider, status, transport_message(st->final)), "application/json");
      record(s, m, wr, "", {}, st->final.elapsed_ms, status, transport_message(st->final));
      return;
    }
  }
  std::string ctype = "text/event-stream";
  for (const auto& [k, v] : st->headers) {
    if (k == "content-type") ctype = v;
    if (pass_response_header(k)) res.set_header(k, v);
  }
  res.status = st->status;
  if (st->status >= 400) {
    // An error answer to a streamed request is a small JSON body, not a stream: pass it on whole
    // (a content provider would leave res.body empty and the server's error handler would replace it).
    ++s.metrics().upstream_errors;
    st->worker.join();
    std::string body;
    for (auto& c : st->chunks) body += c;
    std::string error = "upstream status " + std::to_string(st->status);
    if (st->final.status == 0) error = transport_message(st->final);
    record(s, m, wr, "", {}, st->final.elapsed_ms, st->final.status == 0 ? 502 : st->status, error);
    res.set_content(std::move(body), ctype);
    return;
  }
  auto collector = std::make_shared<SseCollector>(m.provider);
  auto error_body = std::make_shared<std::string>();
  auto finish = [&s, m, wr, st, collector, error_body] {  // called once, under no lock
    collector->finish();
    std::string error;
    if (st->final.status == 0)
      error = transport_message(st->final);
    else if (st->status >= 400)
      error = "upstream status " + std::to_string(st->status);
    else if (!collector->saw_event())
      error = "upstream stream held no events";
    record(s, m, wr, collector->text(), collector->usage(), st->final.elapsed_ms,
           st->final.status == 0 ? 502 : st->status, error);
  };
  res.set_chunked_content_provider(
      ctype,
      [st, collector, finish](size_t, httplib::DataSink& sink) {
        std::unique_lock<std::mutex> lock(st->mu);
        st->cv.wait(lock, [&] { return !st->chunks.empty() || st->done; });
        while (!st->chunks.empty()) {
          std::string c = std::move(st->chunks.front());
          st->chunks.pop_front();
          lock.unlock();
          collector->feed(c);
          bool wrote = sink.write(c.data(), c.size());
          lock.lock();
          if (!wrote) {
            st->client_gone = true;
            return false;
          }
        }
        if (st->done && !st->recorded) {
          st->recorded = true;
          const bool broken = st->final.status == 0;
          lock.unlock();
          st->worker.join();
          finish();                  // the trace is spooled before the stream ends: an acknowledged stream is captured
          if (broken) return false;  // the upstream's stream broke: the caller's does too, never a clean end
          sink.done();
        }
        return true;
      },
      [st, finish](bool) {
        {
          std::lock_guard<std::mutex> g(st->mu);
          st->client_gone = true;
          st->cv.notify_all();
        }
        if (st->worker.joinable()) st->worker.join();
        if (!st->recorded) {
          st->recorded = true;
          finish();
        }
      });
}

void handle(Server& s, Provider p, const httplib::Request& req, httplib::Response& res, const std::string& url,
            const std::string& model_from_path, bool stream_from_path) {
  WireRequest wr;
  std::string error;
  if (!parse_wire_request(p, req.body, model_from_path, stream_from_path, wr, error)) {
    ++s.metrics().bad_requests;
    res.status = 400;
    res.set_content(wire_error(p, 400, error), "application/json");
    return;
  }
  CallMeta m = read_meta(p, req, wr);
  if (wr.model.rfind("local:", 0) == 0) return answer_local(s, m, wr, res);
  forward(s, m, wr, req, res, url);
}

std::string with_query(const std::string& url, const httplib::Request& req) {
  std::string q;
  for (const auto& [k, v] : req.params) {
    q += q.empty() ? "?" : "&";
    q += httplib::detail::encode_query_param(k) + "=" + httplib::detail::encode_query_param(v);
  }
  return url + q;
}

}  // namespace

void register_proxy_routes(Server& s) {
  httplib::Server& h = s.http();
  h.Post("/anthropic/v1/messages", [&s](const httplib::Request& req, httplib::Response& res) {
    handle(s, Provider::anthropic, req, res, s.options().anthropic_upstream + "/v1/messages", "", false);
  });
  h.Post("/openai/v1/chat/completions", [&s](const httplib::Request& req, httplib::Response& res) {
    handle(s, Provider::openai, req, res, s.options().openai_upstream + "/v1/chat/completions", "", false);
  });
  h.Post(R"(/gemini/v1beta/models/([^/]+):(generateContent|streamGenerateContent))",
         [&s](const httplib::Request& req, httplib::Response& res) {
           std::string model = req.matches[1], method = req.matches[2];
           std::string url = s.options().gemini_upstream + "/v1beta/models/" + model + ":" + method;
           handle(s, Provider::gemini, req, res, with_query(url, req), model, method == "streamGenerateContent");
         });
}

}  // namespace pt::server
