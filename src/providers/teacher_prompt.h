// What every teacher is sent for one trace, provider-neutral: the system blocks (the trace's own,
// with TeacherInput.file_context appended to the last block after a blank line, docs/formats.md#teacher-context) and
// the conversation as alternating user/assistant turns. Roles `system` and `tool` are folded into
// `user` turns; only text parts are kept; messages without text are dropped; consecutive turns of
// one role are merged (their parts kept in order). Dry-run token counts use the same functions.
#pragma once
#include <string>
#include <vector>

#include "providers/model.h"

namespace pt {

struct TeacherTurn {
  std::string role;                // "user" or "assistant"
  std::vector<std::string> texts;  // parts, in order
};

std::vector<std::string> teacher_system_blocks(const TeacherInput& input);
std::vector<TeacherTurn> teacher_turns(const PickerCall& call);

// All text the teacher reads (system blocks and turns joined with "\n"), for token estimates.
std::string teacher_prompt_text(const TeacherInput& input);

}  // namespace pt
