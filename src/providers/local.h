// Local models (answered in-process, no key): "local:bm25", "local:bm25-content@REPO" and
// "local:student[@PATH]".
// Implemented by the relabel engine's helper; make_model() forwards local: ids here.
#pragma once
#include <memory>
#include <string_view>

#include "providers/model.h"

namespace pt {

// name is the part after "local:" ("bm25", "student@PATH").
Result<std::unique_ptr<Model>> make_local_model(std::string_view name, const ModelOptions& options);
// "local:bm25", the BM25 baseline (local_bm25.cpp).
std::unique_ptr<Model> make_bm25_model();
// "local:bm25-content@REPO", BM25 over paths + contents of each call's tree (local_bm25_content.cpp).
Result<std::unique_ptr<Model>> make_bm25_content_model(const std::string& repo);

}  // namespace pt
