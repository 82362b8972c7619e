// Renders quickstart's closing "what next" block (see next_steps.h).
#include "report/next_steps.h"

#include <fmt/format.h>

namespace pt {

std::string render_next_steps(const NextStepsInput& in) {
  std::string out;
  out += "\nOutputs (all under " + in.out_dir + "/):\n";
  out += fmt::format("  store:         {}\n", in.paths.store);
  out += fmt::format("  tuning data:   {0}.jsonl, {0}-validation.jsonl, {0}.manifest.json\n", in.paths.tuning_prefix);
  out += fmt::format("  student model: {}\n", in.paths.student_model);
  out += fmt::format("  report:        {}\n", in.paths.report);
  out += fmt::format(
      "\nOpen the report: xdg-open {0}   (or file://{1} in a browser;\n"
      "  on a remote machine: scp it, or `picktune serve` below)\n",
      in.paths.report, in.report_abs);
  const std::string pt = in.on_path ? "picktune" : in.binary;
  const std::string store = "--store " + in.paths.store;
  out += "\nNext:\n";
  out += fmt::format("  1. your own repository:  {} {} import git /path/to/your/repo\n", pt, store);
  out += fmt::format(
      "  2. a real teacher:       ANTHROPIC_API_KEY=... {} {} relabel --teacher "
      "anthropic:claude-sonnet-4-5 --limit 200 --dry-run   (then without --dry-run)\n",
      pt, store);
  out += fmt::format("  3. browse it all:        {} {} serve\n", pt, store);
  if (in.on_path)
    out += "\n`picktune` is on your PATH (" + in.binary + ").\n";
  else
    out += fmt::format(
        "\n`picktune` is not on your PATH; run it as {0}, or:\n  sudo ln -sf {0} /usr/local/bin/picktune\n", in.binary);
  return out;
}

}  // namespace pt
