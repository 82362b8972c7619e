// Anthropic Message Batches client (relabel --batch): create a batch from {custom_id, teacher
// input} items (POST /v1/messages/batches, each params identical to a Messages API call), poll it
// (GET /v1/messages/batches/{id}), and stream its results JSONL (results_url) into one
// Result<Completion> per custom_id. Costs use the table's batch prices (half of standard).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "providers/model.h"
#include "providers/prices.h"

namespace pt {

struct BatchItem {
  std::string custom_id;  // 1-64 of [A-Za-z0-9_-], unique within the batch
  TeacherInput input;
};

struct BatchStatus {
  std::string id;
  std::string processing_status;  // "in_progress" | "canceling" | "ended"
  int64_t processing = 0, succeeded = 0, errored = 0, canceled = 0, expired = 0;
  std::string results_url;  // set once ended
  bool ended() const { return processing_status == "ended"; }
};

class AnthropicBatchClient {
 public:
  static constexpr size_t kMaxRequests = 100000;       // API limit per batch
  static constexpr size_t kMaxBodyBytes = 256u << 20;  // API limit per batch

  // model_id: "anthropic:NAME". Key from ANTHROPIC_API_KEY, base from options/ANTHROPIC_BASE_URL.
  static Result<std::unique_ptr<AnthropicBatchClient>> create(std::string_view model_id, const ModelOptions& options);
  static bool valid_custom_id(std::string_view id);

  // Creates one batch. Errors: empty, too many items or bytes (split them), a bad custom_id.
  // Retried only when the server surely did not create it (429, 529, 503, connection refused).
  Result<BatchStatus> submit(const std::vector<BatchItem>& items) const;
  Result<BatchStatus> status(const std::string& batch_id) const;
  Result<BatchStatus> cancel(const std::string& batch_id) const;
  // Polls until the batch ends. Sleeps poll_ms, growing x1.5 up to max_poll_ms; on_poll sees
  // each status and may return false to stop waiting (the last status is returned).
  Result<BatchStatus> wait(const std::string& batch_id, int64_t poll_ms, int64_t max_poll_ms,
                           const std::function<bool(const BatchStatus&)>& on_poll = nullptr) const;
  // Streams the results of an ended batch: on_result(custom_id, completion or error) per line.
  // errored/canceled/expired lines arrive as errors ("batch result errored: api_error: …").
  // Returns an error when the download fails or a line has no custom_id.
  Result<void> results(const BatchStatus& status,
                       const std::function<void(const std::string& custom_id, Result<Completion>)>& on_result) const;
  // The same with each line's outcome: canceled and expired requests were never processed (not
  // billed) and should be sent again; errored ones were processed and failed.
  enum class Outcome { succeeded, errored, canceled, expired, unknown };
  Result<void> results_with_outcome(
      const BatchStatus& status,
      const std::function<void(const std::string& custom_id, Outcome, Result<Completion>)>& on_result) const;

  // Dollars at the batch price.
  double cost_usd(const Usage& usage) const { return usage_cost_usd(price_, usage, true); }
  const std::string& model_id() const { return model_id_; }

 private:
  AnthropicBatchClient() = default;
  HttpRequest request(std::string method, std::string url) const;
  std::string model_id_, model_name_, base_, key_;
  ModelOptions options_;
  Price price_;
};

}  // namespace pt
