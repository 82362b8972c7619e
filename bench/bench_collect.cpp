// collect benchmark (issue 5). Two parts:
//  * `bench_collect --generate FILE N` writes N synthetic get-relevant-files traces (Key and
//    Non-Obvious per agent step; sessions of 8 steps sharing a file tree, growing histories with
//    assistant turns and tool parts, production payload shape) plus one teacher relabel per
//    trace, as JSONL for `import jsonl`. bench/bench_collect.sh uses it for the end-to-end
//    figure: `picktune collect` MB/s of input against `cat` of the exported traces JSONL.
//  * Without --generate: Google Benchmark micro benchmarks of the per-trace work (parse, build
//    and render a record; exact token counting) so a regression can be located.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/jsonl_row.h"
#include "core/picker_call.h"
#include "core/picker_prompt.h"
#include "core/tuning_record.h"
#include "pipeline/collect/collect_util.h"
#include "tokenizer/gemma_tokenizer.h"

namespace {

using nlohmann::json;

constexpr int kStepsPerSession = 8;
constexpr int64_t kT0 = 1746100800LL * 1000000;  // 2025-05-01T12:00:00Z
const char* kTeacher = "anthropic:claude-opus-4-20250514";

const char* kWords[] = {"src",    "lib",    "components", "utils", "server",  "client", "api",
                        "models", "hooks",  "store",      "auth",  "billing", "editor", "render",
                        "parse",  "config", "router",     "db",    "cache",   "queue"};

std::string word(std::mt19937_64& rng) { return kWords[rng() % (sizeof kWords / sizeof *kWords)]; }

std::string path(std::mt19937_64& rng) {
  return word(rng) + "/" + word(rng) + "/" + word(rng) + std::to_string(rng() % 50) + ".ts";
}

std::string sentence(std::mt19937_64& rng, int words) {
  std::string s;
  for (int i = 0; i < words; ++i) s += (i ? " " : "") + word(rng);
  return s + ".";
}

struct Session {
  std::string tree;  // ~2 KB, shared by every step of the session
  std::vector<std::string> files;
  json history = json::array();  // grows by a user request and an assistant turn per step
};

Session new_session(std::mt19937_64& rng) {
  Session s;
  s.tree = "<project_file_tree>\n";
  for (int i = 0; i < 80; ++i) {
    s.files.push_back(path(rng));
    s.tree += "  " + s.files.back() + "\n";
  }
  s.tree += "</project_file_tree>";
  return s;
}

pt::Row trace(int64_t step, int64_t user, const std::string& kind, const Session& s, const json& messages,
              const std::string& git) {
  pt::Row r;
  r.id = "t" + std::to_string(step) + (kind == "Key" ? "k" : "n");
  r.agent_step_id = "step-" + std::to_string(step);
  r.user_id = "user-" + std::to_string(user);
  r.created_at_us = kT0 + step * 1000000 + (kind == "Key" ? 0 : 1);
  r.type = "get-relevant-files";
  json p = {{"user_input_id", "ui-" + std::to_string(step)},
            {"client_session_id", "cs-" + std::to_string(step / kStepsPerSession)},
            {"fingerprint_id", "fp-" + std::to_string(user)},
            {"request_type", kind},
            {"system", json::array({{{"type", "text"}, {"text", s.tree}}, {{"type", "text"}, {"text", git}}})},
            {"messages", messages},
            {"output", s.files[0] + "\n" + s.files[1]},
            {"model", "gemini-2.0-flash-001"}};
  r.payload = p.dump();
  return r;
}

pt::Row relabel(const pt::Row& t, const std::string& kind, std::mt19937_64& rng, const Session& s) {
  pt::Row r;
  r.id = "r-" + t.id;
  r.agent_step_id = t.agent_step_id;
  r.user_id = t.user_id;
  r.created_at_us = t.created_at_us + 3600000000LL;
  r.model = kTeacher;
  std::string out;
  for (int i = 0; i < 6; ++i) out += s.files[rng() % s.files.size()] + "\n";
  json p = {
      {"request_type", kind},   {"output", out},
      {"files", json::array()}, {"usage", {{"input_tokens", 5000}, {"output_tokens", 60}, {"cached_input_tokens", 0}}},
      {"cost_usd", 0.08},       {"latency_ms", 2100},
      {"trace_id", t.id},       {"with_context", true}};
  r.payload = p.dump();
  return r;
}

int generate(const char* file, int64_t n) {
  std::FILE* f = std::fopen(file, "wb");
  if (!f) return std::perror(file), 1;
  std::mt19937_64 rng(42);
  Session s;
  std::string buf;
  int64_t bytes = 0;
  for (int64_t step = 0; 2 * step < n; ++step) {
    if (step % kStepsPerSession == 0) s = new_session(rng);
    int64_t user = (step / kStepsPerSession) % 997;
    std::string request = "Please " + sentence(rng, 20) + " in " + s.files[rng() % s.files.size()];
    std::string git = "<git_changes>\nM " + s.files[rng() % s.files.size()] + "\nA " + path(rng) + "\n</git_changes>";
    json key_msgs = s.history, non_msgs = s.history;
    key_msgs.push_back({{"role", "user"}, {"content", request}});
    non_msgs.push_back({{"role", "user"}, {"content", request}});
    key_msgs.push_back({{"role", "user"}, {"content", pt::key_picker_prompt(request, 12)}});
    non_msgs.push_back({{"role", "user"},
                        {"content", "<user_request>\n" + request +
                                        "\n</user_request>\nList files that are not obviously related but "
                                        "likely needed: configs, tests, types. One path per line."}});
    buf.clear();
    for (const char* kind : {"Key", "Non-Obvious"}) {
      pt::Row t = trace(step, user, kind, s, std::string(kind) == "Key" ? key_msgs : non_msgs, git);
      pt::append_jsonl_row(buf, pt::Table::traces, t);
      pt::append_jsonl_row(buf, pt::Table::relabels, relabel(t, kind, rng, s));
    }
    bytes += static_cast<int64_t>(buf.size());
    std::fwrite(buf.data(), 1, buf.size(), f);
    s.history.push_back({{"role", "user"}, {"content", request}});
    s.history.push_back({{"role", "assistant"},
                         {"content", json::array({{{"type", "text"}, {"text", sentence(rng, 60)}},
                                                  {{"type", "tool_use"},
                                                   {"id", "tu" + std::to_string(step)},
                                                   {"name", "write_file"},
                                                   {"input", {{"path", s.files[0]}}}}})}});
    if (s.history.size() > 2 * kStepsPerSession) s.history.clear();
  }
  std::fclose(f);
  std::fprintf(stderr, "wrote %lld traces and relabels, %.1f MB, to %s\n", static_cast<long long>(n), bytes / 1e6,
               file);
  return 0;
}

// A mid-session Key trace payload for the micro benchmarks.
std::string sample_payload() {
  std::mt19937_64 rng(7);
  Session s = new_session(rng);
  for (int i = 0; i < 4; ++i) {
    s.history.push_back({{"role", "user"}, {"content", sentence(rng, 20)}});
    s.history.push_back({{"role", "assistant"}, {"content", sentence(rng, 60)}});
  }
  s.history.push_back({{"role", "user"}, {"content", pt::key_picker_prompt(sentence(rng, 20), 12)}});
  return trace(5, 1, "Key", s, s.history, "<git_changes>M a.ts</git_changes>").payload;
}

void BM_ParseBuildRender(benchmark::State& state) {
  std::string payload = sample_payload();
  pt::Recipe recipe;
  recipe.top_k = 2;
  recipe.stop_dashes = recipe.blobbify_history = true;
  std::string out;
  for (auto _ : state) {
    auto call = pt::parse_picker_call(payload);
    auto built = pt::build_tuning_example(std::move(*call), "a.ts\nb.ts\nc.ts\n", recipe);
    benchmark::DoNotOptimize(pt::input_hash(built.example));
    out.clear();
    pt::append_record_json(built.example, pt::TuningFormat::gemini, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(BM_ParseBuildRender);

void BM_GemmaCountRecordText(benchmark::State& state) {
  auto tok = pt::GemmaTokenizer::shared();
  if (!tok.ok()) return state.SkipWithError(tok.error().message.c_str());
  auto call = pt::parse_picker_call(sample_payload());
  std::string text = pt::system_text(*call);
  for (const auto& m : call->messages)
    for (const auto& t : m.texts) text += t;
  for (auto _ : state) benchmark::DoNotOptimize((*tok)->count(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_GemmaCountRecordText);

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--generate") == 0) return generate(argv[2], std::atoll(argv[3]));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
