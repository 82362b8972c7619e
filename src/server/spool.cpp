// Spool segments: DIR/seg-<SEQ>.jsonl, SEQ increasing across runs (the next one is one past the
// largest on disk). Lines are {"table","id","agent_step_id","user_id","created_at_us","type",
// "model","payload"} with payload kept as its JSON text, so a row round-trips unchanged.
#include "server/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "server/payload_text.h"

namespace pt::server {

namespace fs = std::filesystem;

std::string spool_line(const SpooledRow& r) {
  // Written member by member in nlohmann's sorted key order (what dumping the whole object gave),
  // so the payload text, the line's bulk, is escaped once by the fast escaper and never re-dumped.
  std::string out;
  out.reserve(r.row.payload.size() + r.row.id.size() + r.row.agent_step_id.size() + r.row.user_id.size() +
              r.row.type.size() + r.row.model.size() + 160);
  auto member = [&](const char* name, std::string_view value) {
    out += out.empty() ? "{\"" : ",\"";
    out += name;
    out += "\":";
    append_string_text(out, value);
  };
  member("agent_step_id", r.row.agent_step_id);
  out += ",\"created_at_us\":" + std::to_string(r.row.created_at_us);
  member("id", r.row.id);
  member("model", r.row.model);
  member("payload", r.row.payload);
  member("table", table_name(r.table));
  member("type", r.row.type);
  member("user_id", r.row.user_id);
  out += "}\n";
  return out;
}

Result<SpooledRow> parse_spool_line(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return runtime_error("spool line is not a JSON object");
  try {
    SpooledRow r;
    r.table = j.at("table").get<std::string>() == "relabels" ? Table::relabels : Table::traces;
    r.row.id = j.at("id").get<std::string>();
    r.row.agent_step_id = j.at("agent_step_id").get<std::string>();
    r.row.user_id = j.at("user_id").get<std::string>();
    r.row.created_at_us = j.at("created_at_us").get<int64_t>();
    r.row.type = j.at("type").get<std::string>();
    r.row.model = j.at("model").get<std::string>();
    r.row.payload = j.at("payload").get<std::string>();
    return r;
  } catch (const std::exception& e) {
    return runtime_error(std::string("spool line: ") + e.what());
  }
}

namespace {
int64_t seq_of(const fs::path& p) {
  std::string name = p.filename().string();
  if (name.rfind("seg-", 0) != 0 || p.extension() != ".jsonl") return -1;
  try {
    return std::stoll(name.substr(4));
  } catch (...) {
    return -1;
  }
}
}  // namespace

Result<Spool> Spool::open(std::string dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return runtime_error("spool " + dir + ": " + ec.message());
  Spool s;
  s.dir_ = std::move(dir);
  for (const auto& e : fs::directory_iterator(s.dir_, ec)) s.next_seq_ = std::max(s.next_seq_, seq_of(e.path()) + 1);
  if (ec) return runtime_error("spool " + s.dir_ + ": " + ec.message());
  return s;
}

Spool::Spool(Spool&& o) noexcept { *this = std::move(o); }
Spool& Spool::operator=(Spool&& o) noexcept {
  std::swap(dir_, o.dir_);
  std::swap(fd_, o.fd_);
  std::swap(path_, o.path_);
  std::swap(next_seq_, o.next_seq_);
  std::swap(bytes_, o.bytes_);
  return *this;
}
Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<std::string>> Spool::leftovers() const {
  std::vector<std::pair<int64_t, std::string>> segs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (int64_t s = seq_of(e.path()); s >= 0 && e.path().string() != path_) segs.emplace_back(s, e.path().string());
  if (ec) return runtime_error("spool " + dir_ + ": " + ec.message());
  std::sort(segs.begin(), segs.end());
  std::vector<std::string> out;
  for (auto& seg : segs) out.push_back(std::move(seg.second));
  return out;
}

Result<bool> read_spool_segment(const std::string& path, size_t max_rows, int64_t max_bytes,
                                const std::function<bool(std::vector<SpooledRow>&)>& chunk) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return runtime_error("spool " + path + ": cannot be read");
  std::vector<SpooledRow> rows;
  int64_t bytes = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto r = parse_spool_line(line);
    if (!r.ok()) continue;  // a torn last line was never acknowledged
    rows.push_back(std::move(r).value());
    bytes += static_cast<int64_t>(line.size());
    if (rows.size() >= max_rows || bytes >= max_bytes) {
      if (!chunk(rows)) return false;
      rows.clear();
      bytes = 0;
    }
  }
  if (in.bad()) return runtime_error("spool " + path + ": read failed");
  return rows.empty() || chunk(rows);
}

Result<void> Spool::append(const std::string& line) {
  if (fd_ < 0) {
    path_ = (fs::path(dir_) / ("seg-" + std::to_string(next_seq_++) + ".jsonl")).string();
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) return runtime_error("spool " + path_ + ": " + std::strerror(errno));
    bytes_ = 0;
  }
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return runtime_error("spool " + path_ + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  bytes_ += static_cast<int64_t>(line.size());
  return ok();
}

std::string Spool::rotate() {
  if (fd_ < 0) return "";
  ::close(fd_);
  fd_ = -1;
  bytes_ = 0;
  return std::exchange(path_, std::string());
}

}  // namespace pt::server
