// Implementation of pipeline/export/export_rows.h: rows are serialized into one reused buffer that is
// written out whenever it passes 1 MiB, to an AtomicFile or to the given stream.
#include "pipeline/export/export_rows.h"

#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "core/jsonl_row.h"
#include "util/atomic_file.h"

namespace pt {
namespace {
constexpr size_t kFlushBytes = size_t{1} << 20;
}

Result<int64_t> export_rows(Store& store, const ExportOptions& o, std::FILE* out) {
  const bool to_stream = o.output.empty() || o.output == "-";
  std::optional<AtomicFile> file;
  if (!to_stream) {
    PT_ASSIGN_OR_RETURN(AtomicFile f, AtomicFile::create(o.output));
    file.emplace(std::move(f));
  }
  std::string buf;
  Result<void> write_error = ok();
  auto drain = [&]() -> Result<void> {
    if (buf.empty()) return ok();
    if (file) {
      PT_TRY(file->write(buf));
    } else if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
      return runtime_error(fmt::format("writing to stdout: {}", std::strerror(errno)));
    }
    buf.clear();
    return ok();
  };
  int64_t rows = 0;
  PT_TRY(store.scan(o.table, o.filter, [&](Row&& row) {
    append_jsonl_row(buf, o.table, row);
    ++rows;
    if (buf.size() >= kFlushBytes) write_error = drain();
    return write_error.ok();
  }));
  PT_TRY(write_error);
  PT_TRY(drain());
  if (file) {
    PT_TRY(file->commit());
  } else if (std::fflush(out) != 0) {
    return runtime_error(fmt::format("writing to stdout: {}", std::strerror(errno)));
  }
  return rows;
}

}  // namespace pt
