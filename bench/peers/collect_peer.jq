# The join of `picktune collect` in jq (issue 22 item 2), on exported JSONL: the relabels file
# slurped (--slurpfile rel), the traces file streamed. Joins each get-relevant-files trace of the selected kinds with
# the teacher's relabel (trace id, then agent step + request kind, then the production key;
# newest wins; a relabel recording the other with_context never fits), applies the recipe (top-K
# valid paths, three dash lines, blobbified history) and prints one Gemini record per line.
# No dedup, no validation split and no token counts (jq has no hash function).
# Usage: jq -n -c --arg teacher M --argjson kinds '["Key"]' --argjson topk 2 --argjson dashes true \
#          --argjson blob true --argjson ctx true --slurpfile rel relabels.jsonl -f collect_peer.jq traces.jsonl
def dash_lines: "--------------------------------\n--------------------------------\n--------------------------------";
def limit_prefix: "Remember to focus on the most important files and limit your selection to ";
def dash_instruction: " Make sure to end your response with three lines of dashes, ie: \"" + dash_lines + "\"";
def trim: sub("^\\s+"; "") | sub("\\s+$"; "");
def texts: if type == "string" then [.] elif type == "array" then [.[] | select(type == "object" and .type == "text") | .text] else [] end;
def is_dashes: length >= 3 and test("^-+$");
# The text before its first dashes line.
def before_dashes: split("\n") as $l
  | ([range(0; $l | length) | select($l[.] | trim | is_dashes)] | first) as $i
  | if $i == null then $l | join("\n") elif $i == 0 then "" else ($l[0:$i] | join("\n")) + "\n" end;
# Production parse: trimmed lines without spaces, not absolute, without ".."; first 30 distinct.
def production_paths: reduce (split("\n")[] | trim
    | select(length > 0 and (contains(" ") | not) and (contains("..") | not))
    | select((test("^[A-Za-z]:") or startswith("~") or startswith("\\")) | not)
    | ltrimstr("/") | select(length > 0)) as $p ([]; if (index([$p]) != null) or length >= 30 then . else . + [$p] end);
def recipe_answer: (if $topk != null then before_dashes | production_paths | .[0:$topk] | join("\n")
  elif $dashes then before_dashes | trim else trim end)
  | if . != "" and $dashes then . + "\n" + dash_lines else . end;
def rewrite_limit: rindex(limit_prefix) as $a
  | if $a == null then null else
      ($a + (limit_prefix | length)) as $num
      | (.[$num:($num + 40)] | [match("^([0-9]+)((?: files\\.)?)").captures[].string]) as $m
      | if $m == [] then null else
          .[0:$num] + (if $topk != null then $topk | tostring else $m[0] end) + $m[1]
          + (if $dashes then dash_instruction else "" end) + .[($num + ($m[0] + $m[1] | length)):] end end;
# --top-k / --stop-dashes: the limit sentence of the last user turn.
def rewrite_prompt: if ($topk == null and ($dashes | not)) then . else
  ([to_entries[] | select(.value.role == "user") | .key] | last) as $t
  | if $t == null then . else
      ([.[$t].parts | to_entries[] | select(.value.text | rewrite_limit != null) | .key] | last) as $p
      | if $p != null then .[$t].parts[$p].text |= rewrite_limit
        elif $dashes then .[$t].parts[-1].text += "\n\nMake sure to end your response with three lines of dashes, ie: \"" + dash_lines + "\""
        else . end end end;
def merge_roles: reduce .[] as $t ([]; if length > 0 and .[-1].role == $t.role then .[-1].parts += $t.parts else . + [$t] end);
def record($answer): ($answer | recipe_answer) as $body
  | if $body == "" then empty else
      ((if (.system | type) == "string" then [.system] else .system | texts end) | map(select(. != ""))) as $system
      | [.messages[] | {role: (if .role == "assistant" then "model" else "user" end),
                        parts: [.content | texts | .[] | select(. != "") | {text: .}]} | select(.parts | length > 0)]
      | if any(.[]; .role == "user") | not then empty else
          rewrite_prompt + [{role: "model", parts: [{text: $body}]}]
          | (length - 1) as $n
          | if $blob then [to_entries[] | if .key < $n and .value.role == "model"
              then .value | .role = "user" | .parts |= map(.text |= "<previous_assistant_message>" + . + "</previous_assistant_message>")
              else .value end] else . end
          | merge_roles
          | if ($system | length) > 0 then {systemInstruction: {role: "system", parts: [$system[] | {text: .}]}, contents: .}
            else {contents: .} end end end;
def newer($a; $b): $b == null or $a.at > $b.at or ($a.at == $b.at and $a.id > $b.id);
def best($list; $kind; fit): reduce ($list // [] | .[] | select(.kind == null or .kind == $kind) | select(fit)
    | select($ctx == null or .ctx == null or .ctx == $ctx)) as $r (null; if newer($r; .) then $r else . end);
# The teacher's relabels ($rel, from --slurpfile) indexed by join key, then one pass over the traces.
(reduce ($rel[] | select(.model == $teacher)) as $row ({};
  ($row.payload.request_type | if type == "string" then . else null end) as $kind
  | if $kind != null and ($kinds | index([$kind]) == null) then . else
      {id: $row.id, at: $row.created_at, kind: $kind, output: $row.payload.output,
       ctx: ($row.payload.with_context | if type == "boolean" then . else null end),
       user: $row.user_id, input: ($row.payload.user_input_id // "")} as $r
      | (if ($row.payload.trace_id // "") != "" then "T" + $row.payload.trace_id
         elif $kind != null then "S" + $row.agent_step_id + "\u001f" + $kind else "P" + $row.agent_step_id end) as $key
      | .[$key] = ((.[$key] // []) + [$r]) end)) as $idx
| inputs as $row
| $row | select(.type == "get-relevant-files") | .payload
| select(type == "object" and (.request_type | type) == "string")
| .request_type as $kind | select($kinds | index([$kind]) != null)
| (.user_input_id // "") as $input
| (best($idx["T" + $row.id]; $kind; true)
   // best($idx["S" + $row.agent_step_id + "\u001f" + $kind]; $kind; true)
   // best($idx["P" + $row.agent_step_id]; $kind;
           (.user == "" or $row.user_id == "" or .user == $row.user_id) and (.input == "" or $input == "" or .input == $input))) as $r
| select($r != null and ($r.output | type) == "string")
| record($r.output)
