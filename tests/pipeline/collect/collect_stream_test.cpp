// collect streams: with traces generated on the fly (never held by the store), the peak RSS of a
// run over ~20x more input grows by far less than the input — only the teacher's relabels and
// 8 bytes per written sample are kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "pipeline/collect/collect.h"
#include "pipeline/collect/fixture.h"
#include "pipeline/collect/generated_store.h"

namespace pt {
namespace {

using namespace pt::testing;

constexpr int kStepsWithRelabels = 500;

int64_t peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

// Trace i: step i % 500, Key or Non-Obvious by parity, a ~4 KB system prompt unique to i.
Row generated_trace(int64_t i) {
  int step = static_cast<int>(i % kStepsWithRelabels);
  Row r = trace_row(step, i % 2 ? "Non-Obvious" : "Key");
  r.id = "g" + std::to_string(i);
  r.created_at_us = kT0 + i;
  json p = json::parse(r.payload);
  std::string tree = "<project_file_tree>\n";
  for (int f = 0; tree.size() < 4000; ++f)
    tree += "  src/module" + std::to_string(i) + "/file" + std::to_string(f) + ".ts\n";
  p["system"] = tree + "</project_file_tree>";
  r.payload = p.dump();
  return r;
}

CollectSummary run_generated(int64_t n, const std::string& prefix) {
  GeneratedStore store;
  store.n = n;
  store.make_trace = generated_trace;
  for (int s = 0; s < kStepsWithRelabels; ++s)
    for (std::string kind : {"Key", "Non-Obvious"}) store.add(Table::relabels, {relabel_row(s, kind, "teacher", true)});
  CollectOptions o;
  o.teacher = "teacher";
  o.output_prefix = prefix;
  o.recipe.request_kinds = {pt::RequestKind::key};
  o.recipe.with_file_context = true;
  o.validation_fraction = 0.1;
  o.count_tokens = [](std::string_view t) { return t.size() / 4; };
  auto s = run_collect(store, o);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : CollectSummary{};
}

TEST(CollectStreaming, PeakMemoryStaysFlatAsInputGrows) {
  std::string dir = temp_dir();
  CollectSummary small = run_generated(2000, dir + "/small");
  int64_t after_small = peak_rss_kb();
  CollectSummary large = run_generated(40000, dir + "/large");
  int64_t after_large = peak_rss_kb();
  EXPECT_EQ(small.samples + small.validation_samples, 1000);
  EXPECT_EQ(large.samples + large.validation_samples, 20000);
  EXPECT_EQ(large.dropped.at("kind_filtered"), 20000);
  int64_t extra_input_kb = (large.input_bytes - small.input_bytes) / 1024;
  EXPECT_GT(extra_input_kb, 150 * 1024);
  int64_t growth_kb = after_large - after_small;
  std::printf("peak RSS growth %lld KB for %lld KB more input\n", (long long)growth_kb, (long long)extra_input_kb);
  EXPECT_LT(growth_kb, 16 * 1024) << "peak RSS grew by " << growth_kb << " KB for " << extra_input_kb
                                  << " KB more input";
  for (const char* f : {"/small.jsonl", "/small-validation.jsonl", "/small.manifest.json", "/large.jsonl",
                        "/large-validation.jsonl", "/large.manifest.json"})
    std::remove((dir + f).c_str());
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Trace i of a mixed stream: both kinds, every 7th a copy of an earlier input (a duplicate),
// every 97th an unparseable payload, every 50th over the token limit, texts of varied sizes.
Row mixed_trace(int64_t i) {
  Row r = generated_trace(i % 7 == 0 && i > 0 ? i - 2 : i);
  r.id = "m" + std::to_string(i);
  r.created_at_us = kT0 + i;
  if (i % 97 == 0) r.payload = "{\"request_type\": \"Key\", \"system\": [1, 2}";
  if (i % 50 == 1) {
    json p = json::parse(r.payload);
    p["system"] = std::string(600000, 'x') + std::to_string(i);
    r.payload = p.dump();
  }
  return r;
}

TEST(CollectStreaming, ThreadCountNeverChangesTheOutput) {
  std::string dir = temp_dir();
  std::vector<std::string> outputs;
  for (int threads : {1, 2, 4}) {
    GeneratedStore store;
    store.n = 3000;
    store.make_trace = mixed_trace;
    for (int s = 0; s < kStepsWithRelabels; ++s)
      for (std::string kind : {"Key", "Non-Obvious"})
        store.add(Table::relabels, {relabel_row(s, kind, "teacher", true)});
    CollectOptions o;
    o.teacher = "teacher";
    o.output_prefix = dir + "/t" + std::to_string(threads);
    o.recipe.request_kinds = {pt::RequestKind::key, pt::RequestKind::non_obvious};
    o.recipe.with_file_context = true;
    o.validation_fraction = 0.2;
    o.threads = threads;
    // uneven work per text, so workers finish their batches out of order
    o.count_tokens = [](std::string_view t) {
      size_t n = 0;
      for (int rep = 0; rep < (t.size() % 3 == 0 ? 40 : 1); ++rep)
        n = static_cast<size_t>(std::count(t.begin(), t.end(), 'e')) + t.size() / 4;
      return n;
    };
    std::string warnings;
    Diagnostics diagnostics([&](const Diagnostic& d) { warnings += d.message + "\n"; });
    o.diagnostics = &diagnostics;
    auto s = run_collect(store, o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->traces_read, 3000);
    EXPECT_GT(s->dropped.at("duplicate_input"), 300);
    EXPECT_EQ(s->dropped.at("unparseable_payload"), 31);
    EXPECT_EQ(s->dropped.at("over_token_limit"), 60);
    EXPECT_EQ(s->bad_rows.size(), 31u);
    EXPECT_EQ(s->bad_rows[1].id, "m97");
    std::string manifest = slurp(s->manifest_path);
    const std::string prefix = o.output_prefix;
    for (size_t at; (at = manifest.find(prefix)) != std::string::npos;) manifest.replace(at, prefix.size(), "NAME");
    outputs.push_back(slurp(s->train_path) + "\n--\n" + slurp(s->validation_path) + "\n--\n" + manifest + "\n--\n" +
                      warnings);
  }
  EXPECT_GT(outputs[0].size(), 1000000u);
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(outputs[0], outputs[2]);
}

}  // namespace
}  // namespace pt
