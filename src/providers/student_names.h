// Student model ids: `student register NAME FILE` names a model file, and every
// `local:student@X` id is normalized to one canonical form so the same model is one model in the
// store: a registered name stays `local:student@NAME`; a path becomes the registered name of that
// file when it has one, else its canonical absolute path (`./a.model` and `a.model` are one id).
// Options may follow the name or path, `?` then `&`-separated: `history=none` (cold start: the
// model answers with no history statistics, as for a repository it has never seen) and
// `repo=REPO` (the repository the calls come from, a directory or bundle: each call is answered
// with the file contents of the tree its commit saw, as in `student train --repo`). Each option
// makes a different model id; the canonical id writes them in that order, REPO made absolute.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

// {NAME: absolute file}. Kept in $PICKTUNE_STUDENTS, else $XDG_CONFIG_HOME/picktune/students.json,
// else $HOME/.config/picktune/students.json (one file per user, whatever the store or cwd).
std::string student_names_path();
using StudentNames = std::map<std::string, std::string>;
// A missing file is an empty registry; a malformed one is an error naming it.
Result<StudentNames> load_student_names(const std::string& path);

struct StudentRegistration {
  std::string name, file, previous_file;  // previous_file: "" unless --replace changed it
  bool unchanged = false;                 // the name already named this file
};
// Checks NAME ([A-Za-z0-9][A-Za-z0-9._-]*) and that FILE loads as a student model, then records it
// (atomically). A name already naming another file is refused unless `replace`.
Result<StudentRegistration> register_student_name(const std::string& path, const std::string& name,
                                                  const std::string& file, bool replace);

// `local:student@X[?history=none][&repo=REPO]` split: X, whether the model answers as a cold
// start, and the repository whose contents it reads. Any other option, a repeated one or an empty
// REPO is a usage error naming it.
struct StudentRef {
  std::string ref;  // the name or path
  bool cold = false;
  std::string repo;  // "" -> paths only (the model's paths-only ensemble, when it has one)
};
inline constexpr std::string_view kColdStartOption = "history=none";
inline constexpr std::string_view kRepoOption = "repo=";
Result<StudentRef> parse_student_ref(std::string_view ref);

// The canonical form of a model id: only `local:student@X` changes (see above); others as given.
Result<std::string> canonical_model_id(std::string_view model_id);
// The model file behind `local:student@X` (a registered name, else X as a path); nullopt for
// other ids.
Result<std::optional<std::string>> student_model_file(std::string_view model_id);

}  // namespace pt
