// `picktune collect` end to end on a SQLite store filled by `import jsonl`: exact Gemma token
// counts in the manifest, the validation file, and exit codes / one-line messages for bad input
// (unknown recipe, unknown teacher, bad fraction, unwritable -o, unparseable payloads).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "pipeline/collect/fixture.h"
#include "tokenizer/gemma_tokenizer.h"
#include "util/time.h"

namespace pt {
namespace {

using namespace pt::testing;

struct Cli {
  int code = -1;
  std::string out, err;
};

Cli picktune(const std::string& dir, const std::string& args) {
  std::string cmd = std::string(PICKTUNE_BINARY) + " --store sqlite:" + dir + "/store.db " + args + " >" + dir +
                    "/stdout.txt 2>" + dir + "/stderr.txt";
  int status = std::system(cmd.c_str());
  Cli r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(dir + "/stdout.txt");
  r.err = read_text(dir + "/stderr.txt");
  return r;
}

json jsonl_row(const Row& r, bool trace) {
  json j = {{"id", r.id},
            {"agent_step_id", r.agent_step_id},
            {"user_id", r.user_id},
            {"created_at", format_rfc3339(r.created_at_us)},
            {"payload", json::parse(r.payload)}};
  j[trace ? "type" : "model"] = trace ? r.type : r.model;
  return j;
}

const std::string kTeacher = "anthropic:claude-opus-4-20250514";

std::string make_store(bool with_bad_row = false) {
  std::string dir = temp_dir();
  std::ofstream f(dir + "/rows.jsonl");
  for (int s = 1; s <= 12; ++s) {
    for (std::string kind : {"Key", "Non-Obvious"}) {
      f << jsonl_row(trace_row(s, kind), true).dump() << "\n";
      f << jsonl_row(relabel_row(s, kind, kTeacher, true), false).dump() << "\n";
    }
  }
  if (with_bad_row) {
    Row bad = trace_row(13, "Key");
    bad.id = "trace-with-bad-messages";
    json p = json::parse(bad.payload);
    p["messages"] = 17;
    bad.payload = p.dump();
    f << jsonl_row(bad, true).dump() << "\n";
    f << jsonl_row(relabel_row(13, "Key", kTeacher, true), false).dump() << "\n";
  }
  f.close();
  Cli imp = picktune(dir, "import jsonl " + dir + "/rows.jsonl");
  EXPECT_EQ(imp.code, 0) << imp.err;
  return dir;
}

size_t gemma_tokens_of(const std::vector<json>& records) {
  auto tok = GemmaTokenizer::shared();
  EXPECT_TRUE(tok.ok()) << tok.error().message;
  if (!tok.ok()) return 0;
  size_t n = 0;
  for (const auto& r : records) {
    for (const auto& p : r["systemInstruction"]["parts"]) n += (*tok)->count(p["text"].get<std::string>());
    for (const auto& c : r["contents"])
      for (const auto& p : c["parts"]) n += (*tok)->count(p["text"].get<std::string>());
  }
  return n;
}

TEST(CollectCli, RecipeRunWritesFilesWithExactGemmaTokenCounts) {
  std::string dir = make_store();
  Cli r = picktune(dir, "collect --teacher " + kTeacher + " --recipe ft_filepicker_topk_003 -o " + dir +
                            "/data --validation-fraction 0.3 --price-per-mtok 2.5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto train = read_jsonl(dir + "/data.jsonl");
  auto val = read_jsonl(dir + "/data-validation.jsonl");
  EXPECT_EQ(train.size() + val.size(), 12u);  // Key only
  json m = json::parse(read_text(dir + "/data.manifest.json"));
  EXPECT_EQ(m["samples"], train.size());
  EXPECT_EQ(m["validation_samples"], val.size());
  size_t train_tokens = gemma_tokens_of(train), val_tokens = gemma_tokens_of(val);
  EXPECT_GT(train_tokens, 0u);
  EXPECT_EQ(m["tokens"]["train"], train_tokens);
  EXPECT_EQ(m["tokens"]["validation"], val_tokens);
  EXPECT_EQ(m["tokens"]["total"], train_tokens + val_tokens);
  EXPECT_EQ(m["tuning_cost_estimate"]["epochs"], 2);  // the registry entry's
  EXPECT_DOUBLE_EQ(m["tuning_cost_estimate"]["usd"].get<double>(), 2.5 * 2 * static_cast<double>(train_tokens) / 1e6);
  EXPECT_NE(r.out.find("manifest: " + dir + "/data.manifest.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("12 kind_filtered"), std::string::npos) << r.out;
  // the same command again gives byte-identical files (stable split, stable order)
  std::string first = read_text(dir + "/data.jsonl");
  ASSERT_EQ(picktune(dir, "collect --teacher " + kTeacher + " --recipe ft_filepicker_topk_003 -o " + dir +
                              "/data --validation-fraction 0.3")
                .code,
            0);
  EXPECT_EQ(read_text(dir + "/data.jsonl"), first);
  // and so does any number of threads
  for (const char* threads : {"1", "3"}) {
    ASSERT_EQ(picktune(dir, "collect --teacher " + kTeacher + " --recipe ft_filepicker_topk_003 -o " + dir +
                                "/data --validation-fraction 0.3 --threads " + threads)
                  .code,
              0);
    EXPECT_EQ(read_text(dir + "/data.jsonl"), first) << threads;
  }
}

TEST(CollectCli, OpenAiFormat) {
  std::string dir = make_store();
  Cli r = picktune(
      dir, "collect --teacher " + kTeacher + " --with-context --kinds Non-Obvious --format openai -o " + dir + "/oa");
  ASSERT_EQ(r.code, 0) << r.err;
  auto recs = read_jsonl(dir + "/oa.jsonl");
  ASSERT_EQ(recs.size(), 12u);
  const json& msgs = recs[0]["messages"];
  EXPECT_EQ(msgs[0]["role"], "system");
  EXPECT_EQ(msgs.back()["role"], "assistant");
  EXPECT_EQ(msgs.back()["content"].get<std::string>().rfind("nonobv/a1.ts\n", 0), 0u);
}

TEST(CollectCli, BadInputExitCodesAndMessages) {
  std::string dir = make_store();
  Cli unknown_recipe = picktune(dir, "collect --teacher " + kTeacher + " --recipe ft_nope -o " + dir + "/x");
  EXPECT_EQ(unknown_recipe.code, 2);
  EXPECT_EQ(unknown_recipe.err.rfind("picktune: ", 0), 0u) << unknown_recipe.err;
  EXPECT_NE(unknown_recipe.err.find("\"ft_nope\""), std::string::npos) << unknown_recipe.err;
  EXPECT_EQ(std::count(unknown_recipe.err.begin(), unknown_recipe.err.end(), '\n'), 1);
  Cli unknown_teacher = picktune(dir, "collect --teacher openai:nobody -o " + dir + "/x");
  EXPECT_EQ(unknown_teacher.code, 1);
  EXPECT_NE(unknown_teacher.err.find("no relabels by teacher \"openai:nobody\""), std::string::npos)
      << unknown_teacher.err;
  Cli bad_fraction = picktune(dir, "collect --teacher " + kTeacher + " --validation-fraction 1.5 -o " + dir + "/x");
  EXPECT_EQ(bad_fraction.code, 2);
  EXPECT_NE(bad_fraction.err.find("--validation-fraction"), std::string::npos);
  Cli unwritable = picktune(dir, "collect --teacher " + kTeacher + " -o " + dir + "/missing/dir/x");
  EXPECT_EQ(unwritable.code, 1);
  EXPECT_NE(unwritable.err.find(dir + "/missing/dir/x.jsonl: cannot write"), std::string::npos) << unwritable.err;
  Cli no_teacher = picktune(dir, "collect -o " + dir + "/x");
  EXPECT_EQ(no_teacher.code, 2);
  Cli no_threads = picktune(dir, "collect --teacher " + kTeacher + " --threads 0 -o " + dir + "/x");
  EXPECT_EQ(no_threads.code, 2);
  EXPECT_NE(no_threads.err.find("--threads"), std::string::npos) << no_threads.err;
  for (const auto& e : dir_entries(dir)) EXPECT_EQ(e.rfind("x.", 0), std::string::npos) << "left behind: " << e;
}

TEST(CollectCli, UnparseablePayloadIsReportedWithItsId) {
  std::string dir = make_store(/*with_bad_row=*/true);
  Cli r = picktune(dir, "collect --teacher " + kTeacher + " --with-context -o " + dir + "/d");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("picktune: warning: traces row trace-with-bad-messages: payload.messages: expected an array"),
            std::string::npos)
      << r.err;
  json m = json::parse(read_text(dir + "/d.manifest.json"));
  EXPECT_EQ(m["dropped"]["unparseable_payload"], 1);
  EXPECT_EQ(m["bad_rows"][0]["id"], "trace-with-bad-messages");
  EXPECT_EQ(m["samples"], 24);
}

}  // namespace
}  // namespace pt
