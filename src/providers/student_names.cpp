// Implementation of providers/student_names.h: the per-user JSON file of student names and the
// normalization of `local:student@X` ids.
#include "providers/student_names.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ranker/student.h"
#include "util/atomic_file.h"

namespace pt {

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kStudentPrefix = "local:student@";

bool valid_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

// Absolute, `.`/`..` removed, symlinks resolved as far as the path exists.
std::string canonical_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();
  return p.string();
}

}  // namespace

std::string student_names_path() {
  if (const char* env = std::getenv("PICKTUNE_STUDENTS"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    return std::string(xdg) + "/picktune/students.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/picktune/students.json";
}

Result<StudentNames> load_student_names(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return StudentNames{};
    return runtime_error(fmt::format("{}: cannot read the student names", path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!doc.is_object())
    return runtime_error(fmt::format("{}: expected a JSON object of student NAME: FILE (`student register`)", path));
  StudentNames names;
  for (const auto& [name, file] : doc.items()) {
    if (!file.is_string() || !valid_name(name))
      return runtime_error(fmt::format("{}: field \"{}\": expected a student name and its file path", path, name));
    names.emplace(name, file.get<std::string>());
  }
  return names;
}

Result<StudentRegistration> register_student_name(const std::string& path, const std::string& name,
                                                  const std::string& file, bool replace) {
  if (!valid_name(name))
    return usage_error(fmt::format(
        "student register: name \"{}\": use letters, digits, '.', '_' or '-', starting with a letter or digit", name));
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return usage_error(fmt::format("student register: {}: no such file", file));
  PT_TRY(ranker::StudentModel::load(file));  // only student model files get a name
  PT_ASSIGN_OR_RETURN(StudentNames names, load_student_names(path));
  StudentRegistration r{name, canonical_path(file), "", false};
  if (auto it = names.find(name); it != names.end()) {
    if (it->second == r.file) {
      r.unchanged = true;
      return r;
    }
    if (!replace)
      return usage_error(
          fmt::format("student register: {} already names {}; relabels stored as local:student@{} are that model's "
                      "(pass --replace to point it at {})",
                      name, it->second, name, r.file));
    r.previous_file = it->second;
  }
  names[name] = r.file;
  fs::create_directories(fs::path(path).parent_path(), ec);
  nlohmann::json doc(names);
  PT_TRY(write_file_atomic(path, doc.dump(2) + "\n"));
  return r;
}

Result<StudentRef> parse_student_ref(std::string_view ref) {
  StudentRef out;
  const size_t q = ref.find('?');
  out.ref = std::string(ref.substr(0, q));
  if (out.ref.empty()) return usage_error(fmt::format("local:student@{}: the model name or path is empty", ref));
  if (q == std::string_view::npos) return out;
  std::string_view options = ref.substr(q + 1);
  bool seen_repo = false;
  while (true) {
    const size_t amp = options.find('&');
    const std::string_view option = options.substr(0, amp);
    if (option == kColdStartOption && !out.cold) {
      out.cold = true;
    } else if (option.substr(0, kRepoOption.size()) == kRepoOption && !seen_repo) {
      seen_repo = true;
      out.repo = std::string(option.substr(kRepoOption.size()));
      if (out.repo.empty())
        return usage_error(fmt::format("local:student@{}: repo= needs the repository (a directory or bundle)", ref));
    } else {
      return usage_error(fmt::format("local:student@{}: unknown or repeated option \"{}\" (options: {}, {}REPO)", ref,
                                     option, kColdStartOption, kRepoOption));
    }
    if (amp == std::string_view::npos) break;
    options = options.substr(amp + 1);
  }
  return out;
}

namespace {

// The options part of a canonical id: "", "?history=none", "?repo=/abs" or "?history=none&repo=/abs".
std::string canonical_options(const StudentRef& ref) {
  std::string out;
  if (ref.cold) out += std::string("?") + std::string(kColdStartOption);
  if (!ref.repo.empty()) out += (out.empty() ? "?" : "&") + std::string(kRepoOption) + canonical_path(ref.repo);
  return out;
}

}  // namespace

Result<std::string> canonical_model_id(std::string_view model_id) {
  if (model_id.substr(0, kStudentPrefix.size()) != kStudentPrefix) return std::string(model_id);
  if (model_id.size() == kStudentPrefix.size()) return std::string(model_id);  // make_model says what is wrong
  PT_ASSIGN_OR_RETURN(StudentRef ref, parse_student_ref(model_id.substr(kStudentPrefix.size())));
  const std::string option = canonical_options(ref);
  PT_ASSIGN_OR_RETURN(StudentNames names, load_student_names(student_names_path()));
  if (names.count(ref.ref)) return std::string(kStudentPrefix) + ref.ref + option;
  std::string file = canonical_path(ref.ref);
  for (const auto& [name, named] : names)
    if (named == file) return std::string(kStudentPrefix) + name + option;
  return std::string(kStudentPrefix) + file + option;
}

Result<std::optional<std::string>> student_model_file(std::string_view model_id) {
  if (model_id.substr(0, kStudentPrefix.size()) != kStudentPrefix || model_id.size() == kStudentPrefix.size())
    return std::optional<std::string>();
  PT_ASSIGN_OR_RETURN(StudentRef ref, parse_student_ref(model_id.substr(kStudentPrefix.size())));
  PT_ASSIGN_OR_RETURN(StudentNames names, load_student_names(student_names_path()));
  if (auto it = names.find(ref.ref); it != names.end()) return std::optional<std::string>(it->second);
  return std::optional<std::string>(ref.ref);
}

}  // namespace pt
