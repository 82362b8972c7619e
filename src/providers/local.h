// The in-process models behind "local:" ids (no key, free), one file each: local_bm25.cpp,
// local_bm25_content.cpp and local_student.cpp. make_local_model() (providers/make_model.cpp)
// dispatches to them.
#pragma once
#include <memory>
#include <string>

#include "providers/model.h"

namespace pt {

// "local:bm25", the BM25 baseline (local_bm25.cpp).
std::unique_ptr<LocalModel> make_bm25_model();
// "local:bm25-content@REPO", BM25 over paths + contents of each call's tree (local_bm25_content.cpp).
Result<std::unique_ptr<LocalModel>> make_bm25_content_model(const std::string& repo);
// "local:student@PATH", the learned ranker trained by `student train` (local_student.cpp).
// cold: answer with no history statistics (`?history=none`, a repository the model has never seen).
// repo: the repository the calls come from (`?repo=REPO`, a directory or bundle; "" -> paths only).
Result<std::unique_ptr<LocalModel>> make_student_model(std::string id, const std::string& path, bool cold = false,
                                                       const std::string& repo = "");

}  // namespace pt
