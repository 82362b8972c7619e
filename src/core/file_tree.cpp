// Implementation of core/file_tree.h.
#include "core/file_tree.h"

#include <algorithm>
#include <map>
#include <memory>

namespace pt {
namespace {

struct Dir {  // names point into the caller's paths (no copies)
  std::map<std::string_view, std::unique_ptr<Dir>> dirs;
  std::vector<std::string_view> files;
};

void render_dir(const Dir& d, size_t depth, std::string& out) {
  for (const auto& [name, child] : d.dirs) {
    out.append(depth * 2, ' ');
    out += name;
    out += "/\n";
    render_dir(*child, depth + 1, out);
  }
  for (std::string_view f : d.files) {
    out.append(depth * 2, ' ');
    out += f;
    out += '\n';
  }
}

std::string_view block(std::string_view text, std::string_view open, std::string_view close) {
  size_t a = text.find(open);
  if (a == std::string_view::npos) return {};
  a += open.size();
  size_t b = text.find(close, a);
  if (b == std::string_view::npos) b = text.size();
  return text.substr(a, b - a);
}

template <class F>
void for_each_line(std::string_view text, F&& f) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
    pos = nl + 1;
  }
}

}  // namespace

std::string render_file_tree(std::vector<std::string> paths) {
  std::vector<std::string_view> views(paths.begin(), paths.end());
  return render_file_tree_views(std::move(views));
}

std::string render_file_tree_views(std::vector<std::string_view> paths) {
  std::sort(paths.begin(), paths.end());
  Dir root;
  size_t bytes = 0;
  for (std::string_view p : paths) {
    bytes += p.size() + 1;
    Dir* d = &root;
    size_t start = 0;
    for (size_t slash; (slash = p.find('/', start)) != std::string::npos; start = slash + 1) {
      auto& child = d->dirs[p.substr(start, slash - start)];
      if (!child) child = std::make_unique<Dir>();
      d = child.get();
    }
    d->files.push_back(p.substr(start));
  }
  std::string out;
  out.reserve(bytes + bytes / 2 + kTreeOpen.size() + kTreeClose.size() + 1);
  out += kTreeOpen;
  out += '\n';
  render_dir(root, 0, out);
  out += kTreeClose;
  return out;
}

std::vector<std::string> extract_file_tree(std::string_view system_text) {
  std::vector<std::string> out;
  std::string_view body = block(system_text, kTreeOpen, kTreeClose);
  std::vector<std::string> stack;  // directory names by depth
  for_each_line(body, [&](std::string_view line) {
    size_t spaces = 0;
    while (spaces < line.size() && line[spaces] == ' ') ++spaces;
    std::string_view name = line.substr(spaces);
    if (name.empty()) return;
    size_t depth = spaces / 2;
    if (depth > stack.size()) depth = stack.size();
    stack.resize(depth);
    if (name.back() == '/') {
      name.remove_suffix(1);
      stack.emplace_back(name);
      return;
    }
    std::string full;
    for (const auto& d : stack) {
      full += d;
      full += '/';
    }
    full += name;
    out.push_back(std::move(full));
  });
  return out;
}

void append_recent_commit(std::string& out, const RecentCommit& c) {
  out += "- ";
  out += c.subject;
  out += '\n';
  for (const auto& f : c.files) {
    out += "    ";
    out += f.status;
    out += ' ';
    out += f.path;
    out += '\n';
  }
}

std::string render_recent_commits(const std::vector<RecentCommit>& newest_first) {
  std::string out;
  out += kRecentOpen;
  out += '\n';
  for (const auto& c : newest_first) append_recent_commit(out, c);
  out += kRecentClose;
  return out;
}

std::vector<RecentCommit> extract_recent_commits(std::string_view system_text) {
  std::vector<RecentCommit> out;
  std::string_view body = block(system_text, kRecentOpen, kRecentClose);
  for_each_line(body, [&](std::string_view line) {
    if (line.size() > 6 && line.substr(0, 4) == "    " && !out.empty() && line[5] == ' ') {
      out.back().files.push_back(RecentChange{line[4], std::string(line.substr(6))});
    } else if (line.size() >= 2 && line.substr(0, 2) == "- ") {
      out.push_back(RecentCommit{std::string(line.substr(2)), {}});
    }
  });
  return out;
}

}  // namespace pt
