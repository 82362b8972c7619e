// collect on a SQLite store decodes the zstd payloads on its workers (Store::scan_encoded), not on
// the thread that reads the store: the files it writes are byte-identical to a run on the same
// store whose payloads arrive decoded (plain Store::scan), on 1 and 2 threads.
#include <gtest/gtest.h>

#include "pipeline/collect/collect.h"
#include "pipeline/collect/fixture.h"
#include "store/payload/payload_codec.h"
#include "store/store.h"

namespace pt {
namespace {

using namespace pt::testing;

// The same store seen through scan() only: payloads arrive as text (the default scan_encoded).
class TextOnly final : public Store {
 public:
  explicit TextOnly(Store& inner) : inner_(inner) {}
  std::string describe() const override { return inner_.describe(); }
  Result<void> init() override { return inner_.init(); }
  Result<UpsertStats> upsert(Table t, std::span<const Row> rows) override { return inner_.upsert(t, rows); }
  Result<void> scan(Table t, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    return inner_.scan(t, f, visit);
  }
  Result<int64_t> count(Table t, const RowFilter& f) override { return inner_.count(t, f); }
  Result<std::optional<Row>> get(Table t, const std::string& id) override { return inner_.get(t, id); }

 private:
  Store& inner_;
};

// 1,500 steps, both kinds, a teacher relabel for most; every 11th trace the copy of an earlier
// input, every 97th an unparseable payload (still stored compressed).
std::unique_ptr<Store> filled_store(const std::string& path) {
  auto store = open_store(StoreOptions{"sqlite:" + path});
  EXPECT_TRUE(store.ok()) << store.error().message;
  std::vector<Row> traces, relabels;
  for (int step = 0; step < 1500; ++step)
    for (std::string kind : {"Key", "Non-Obvious"}) {
      Row t = trace_row(step % 11 == 0 && step > 0 ? step - 1 : step, kind);
      t.id = "t" + std::to_string(step) + kind;
      t.agent_step_id = "step-" + std::to_string(step);
      t.created_at_us = kT0 + step * 1000000LL + (kind == "Key" ? 0 : 1);
      if (step % 97 == 3) t.payload = R"({"request_type": "Key", "system": [1, 2], "messages": 7})";
      traces.push_back(std::move(t));
      if (step % 13 != 0) relabels.push_back(relabel_row(step, kind, "teacher", true));
    }
  EXPECT_TRUE((*store)->upsert(Table::traces, traces).ok());
  EXPECT_TRUE((*store)->upsert(Table::relabels, relabels).ok());
  return std::move(*store);
}

CollectOptions options(const std::string& prefix, int threads) {
  CollectOptions o;
  o.teacher = "teacher";
  o.output_prefix = prefix;
  o.recipe.request_kinds = {RequestKind::key, RequestKind::non_obvious};
  o.recipe.with_file_context = true;
  o.validation_fraction = 0.2;
  o.threads = threads;
  o.count_tokens = [](std::string_view t) { return t.size() / 4; };
  return o;
}

TEST(CollectDecode, WorkerDecodingWritesTheSameFilesAsDecodedRows) {
  const std::string dir = temp_dir();
  auto store = filled_store(dir + "/s.db");
  // The store does hand payloads over encoded.
  std::shared_ptr<const PayloadDecoder> decoder;
  RowFilter one;
  one.limit = 1;
  bool frame = false;
  ASSERT_TRUE(
      store
          ->scan_encoded(
              Table::traces, one, [&](Row&& r) { return frame = PayloadCodec::is_frame(r.payload), false; }, decoder)
          .ok());
  ASSERT_TRUE(decoder);
  EXPECT_TRUE(frame);
  TextOnly text(*store);
  for (int threads : {1, 2}) {
    const std::string a = dir + "/enc" + std::to_string(threads), b = dir + "/txt" + std::to_string(threads);
    auto encoded = run_collect(*store, options(a, threads));
    auto plain = run_collect(text, options(b, threads));
    ASSERT_TRUE(encoded.ok()) << encoded.error().message;
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(encoded->traces_read, 3000);
    EXPECT_GT(encoded->samples, 1000);
    EXPECT_GT(encoded->dropped.at("unparseable_payload"), 0);
    EXPECT_GT(encoded->dropped.at("duplicate_input"), 0);
    EXPECT_EQ(encoded->input_bytes, plain->input_bytes);
    EXPECT_EQ(read_text(a + ".jsonl"), read_text(b + ".jsonl"));
    EXPECT_EQ(read_text(a + "-validation.jsonl"), read_text(b + "-validation.jsonl"));
    std::string ma = read_text(a + ".manifest.json"), mb = read_text(b + ".manifest.json");
    // The manifests name their own output files; everything else is equal.
    for (std::string* m : {&ma, &mb})
      for (const std::string& prefix : {a, b})
        for (size_t at; (at = m->find(prefix)) != std::string::npos;) m->replace(at, prefix.size(), "OUT");
    EXPECT_EQ(ma, mb);
  }
}

}  // namespace
}  // namespace pt
