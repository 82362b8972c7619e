// Shared by tests that need a real student model file: a SQLite store in a fresh directory holding
// a synthetic git-like history (tests/ranker/synthetic_history.h: traces + `truth` relabels) and a
// student trained on it (`student train --teacher truth`, the newest 20% held out).
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "pipeline/student/student_train.h"
#include "ranker/synthetic_history.h"
#include "store/store.h"

namespace pt_test {

struct StudentFixture {
  std::string dir, store_uri, model_file;
  std::unique_ptr<pt::Store> store;
  pt::ranker::synthetic::History history;

  // `name` keeps concurrent fixtures apart.
  explicit StudentFixture(const std::string& name) {
    dir = (std::filesystem::temp_directory_path() / ("pt_student_" + name + "_" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store_uri = "sqlite:" + dir + "/store.db";
    store = std::move(pt::open_store(pt::StoreOptions{store_uri, "dev"})).value();
    EXPECT_TRUE(store->init().ok());
    history = pt::ranker::synthetic::make_history(160, 300, 3);
    std::vector<pt::Row> traces, relabels;
    for (auto& r : pt::ranker::synthetic::trace_rows(history))
      (r.model.empty() ? traces : relabels).push_back(std::move(r));
    EXPECT_TRUE(store->upsert(pt::Table::traces, traces).ok());
    EXPECT_TRUE(store->upsert(pt::Table::relabels, relabels).ok());
    pt::StudentTrainConfig c;
    c.teacher = "truth";
    c.output = model_file = dir + "/m.model";
    auto trained = pt::student_train(*store, c);
    EXPECT_TRUE(trained.ok()) << (trained.ok() ? "" : trained.error().message);
  }
  ~StudentFixture() { std::filesystem::remove_all(dir); }
};

}  // namespace pt_test
