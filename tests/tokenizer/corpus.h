// Deterministic texts for the tokenizer cross-check and benchmark: edge cases (special-token
// look-alikes, whitespace runs, empty), unicode (CJK, accents, combining marks, RTL, emoji and
// ZWJ sequences), code in several languages, numbers, long lines and words, and seeded random
// mixes of all of these. Header-only so bench/ can use it too.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pt::testcorpus {

inline std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

inline std::vector<std::string> edge_cases() {
  std::vector<std::string> t = {
      "",
      " ",
      "a",
      "A",
      ".",
      "\xE2\x96\x81",
      "\xE2\x96\x81\xE2\x96\x81x",
      " \xE2\x96\x81 ",
      "\r\n",
      "\r",
      "\x01\x02\x7f",
      "<start_of_turn>",
      "<end_of_turn>",
      "<unused0>",
      "<unused98>",
      "<unused99>",
      "<unused6241>",
      "<unused6242>",
      "<bos>",
      "<eos>",
      "<pad>",
      "<unk>",
      "<mask>",
      "[multimodal]",
      "<image_soft_token>",
      "<start_of_image>",
      "<0x41>",
      "<0xZZ>",
      "<unused",
      "<start_of_turn",
      "start_of_turn>",
      "<<start_of_turn>>",
      " <start_of_turn> ",
      "<start_of_turn>user\nWhich files matter?<end_of_turn>\n<start_of_turn>model\nsrc/app.js\n",
      "<unk><unk><unk>",
      "<b>bold</b> <i>it</i> <table><tr><td>1</td></tr></table>",
      "<div class=\"x\">hi</div>",
      "</s><s>",
      "<h1>Title</h1>\n<h7>no</h7>",
      "<bbox>1 2 3 4</bbox>",
      "<iframe src=x></iframe>",
      "Hello world",
      "Hello, my dog is cute",
      "hello   world",
      " leading",
      "trailing ",
      "  both  ",
      "The quick brown fox jumps over the lazy dog.",
      "don't won't y'all'd've",
      "e-mail: a.b@c.de, url: https://x.y/z?q=1",
      // Word cuts (gemma_model.h step 3): ">▁</" is the one merge spanning a space after a character.
      "<a> </a>",
      "x > </y> z",
      "a> </b> c >  </d>",
      "> </",
      ">\xE2\x96\x81</",
      "\xE2\x96\x81 </a>",
      "caf\xC3\xA9 </x> na\xC3\xAFve",
      "\xE6\x97\xA5\xE6\x9C\xAC \xE8\xAA\x9E",
      "<td>1</td> </tr> <tr> </tr>",
      "if (a > b) { return </div>; }",
  };
  t.push_back(std::string("\0x\0", 3));
  for (int n : {1, 2, 3, 4, 7, 8, 15, 16, 17, 30, 31, 32, 33, 63, 64, 65, 100}) {
    t.push_back(repeat(" ", n));
    t.push_back(repeat("\t", n));
    t.push_back(repeat("\n", n));
    t.push_back(repeat("\xE2\x96\x81", n));
    t.push_back("x" + repeat(" ", n) + "y");
  }
  for (std::string ws : {" \t", "\t ", " \n", "\n ", "\r\n", "\n\t", " \t\n", "\n\n \n", "\f\v"}) {
    t.push_back(repeat(ws, 5));
    t.push_back("a" + repeat(ws, 13) + "b");
  }
  return t;
}

inline std::vector<std::string> unicode_texts() {
  return {
      "日本語のテキストです。東京は晴れ。",
      "中文分词测试：你好，世界！",
      "한국어 텍스트 처리",
      "ひらがな カタカナ 漢字",
      "Ünïcödé àccénts: café naïve résumé São Paulo Zürich",
      "e\xCC\x81 a\xCC\x8A o\xCC\x88 n\xCC\x83 (combining marks)",
      "Z\xCC\xB7\xCC\xA2\xCD\x8E"
      "a\xCC\xB6\xCD\x94l\xCC\xB8g\xCC\xB5o\xCC\xB4",
      "العربية من اليمين إلى اليسار 123",
      "עברית: שלום עולם",
      "हिन्दी देवनागरी लिपि",
      "ภาษาไทยไม่มีช่องว่าง",
      "Ελληνικά και Кириллица вместе",
      "😀😃😄😁😆😅🤣😂",
      "👨‍👩‍👧‍👦 family, 👩🏽‍💻 coder, 🏳️‍🌈 flag, 🇫🇷🇯🇵 flags",
      "✌🏿 👍🏻 ❤️ ☺︎ 1️⃣",
      "𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚 \xF0\x9F\x80\x84 \xF4\x8F\xBF\xBF",
      "\xEE\x80\x80 private use \xEF\xBF\xBD replacement \xEF\xBB\xBF bom",
      "zero\xE2\x80\x8Bwidth\xE2\x80\x8Cjoiner\xE2\x80\x8Dx",
      "∀x∈ℝ: x² ≥ 0 ∧ √4 = 2 → ∞ ≠ ∅",
      "«quotes» „low“ ‘single’ — dash … ellipsis",
      "ﬁ ligature, ＦＵＬＬＷＩＤＴＨ ～ tilde, ½ ¼ ™ ℃",
      "Tiếng Việt có dấu",
      "Ǆǅǆ İıŞş ß ẞ",
      "\xC2\xA0nbsp\xC2\xA0"
      "and\xE3\x80\x80ideographic space",
  };
}

inline std::vector<std::string> code_texts() {
  return {
      "#include <vector>\n\nint main(int argc, char** argv) {\n    std::vector<int> v{1, 2, 3};\n    for (auto& x : v) "
      "x *= 2;\n    return 0;\n}\n",
      "def fib(n: int) -> int:\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    a, b = 0, 1\n    for _ in "
      "range(n):\n        a, b = b, a + b\n    return a\n",
      "const express = require('express');\nconst app = express();\n\napp.get('/', (req, res) => {\n  res.send('Hello "
      "World!');\n});\n\napp.listen(3000);\n",
      "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t\tfmt.Println(i)\n\t}\n}\n",
      "fn main() {\n    let v: Vec<u32> = (0..10).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}\n",
      "SELECT u.id, COUNT(*) AS n\nFROM users u\nJOIN orders o ON o.user_id = u.id\nWHERE o.created_at >= "
      "'2024-01-01'\nGROUP BY u.id\nORDER BY n DESC;\n",
      "{\"name\": \"picktune\", \"version\": \"0.1.0\", \"files\": [\"a.js\", \"b.ts\"], \"nested\": {\"k\": [1, 2.5, "
      "-3e10, null, true]}}",
      "version: 2\njobs:\n  build:\n    docker:\n      - image: node:20\n    steps:\n      - checkout\n      - run: "
      "npm ci && npm test\n",
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Test</title></head>\n<body>\n  <div "
      "id=\"app\"><span>hi</span></div>\n</body>\n</html>\n",
      "# Title\n\n- item **bold** _it_ `code`\n- [link](https://example.com)\n\n```js\nconsole.log(1)\n```\n\n| a | b "
      "|\n|---|---|\n| 1 | 2 |\n",
      "#!/usr/bin/env bash\nset -euo pipefail\nfor f in \"$@\"; do\n  [[ -f \"$f\" ]] && wc -l \"$f\" | awk '{print "
      "$1}'\ndone 2>/dev/null\n",
      "<project_file_tree>\nsrc/\n  index.js\n  lib/\n    router/\n      index.js\n      layer.js\n    "
      "application.js\ntest/\n  app.router.js\npackage.json\n</project_file_tree>",
      "<recent_commits>\nabc1234 Fix router param handling (lib/router/index.js, test/app.param.js)\ndef5678 Bump deps "
      "(package.json)\n</recent_commits>",
      "commit 3f2a1b9c\nAuthor: Jane Doe <jane@example.com>\nDate:   Mon Jan 1 00:00:00 2024 +0000\n\n    Fix: handle "
      "empty path in res.sendFile\n\n    Closes #1234\n",
      "diff --git a/lib/response.js b/lib/response.js\n@@ -10,7 +10,7 @@\n-  var x = 1;\n+  const x = 2;\n   return "
      "x;\n",
      "0 1 12 123 1234 12345 123456 1234567890 3.14159 -2.5e-10 1,000,000 0xDEADBEEF 0b1010 1e100 007 "
      "2024-01-31T12:34:56Z",
      "9999999999999999999999999999999999999999999999999999999999999999",
  };
}

// Pieces combined at random into mixed texts.
inline std::vector<std::string> fragments() {
  std::vector<std::string> f;
  for (auto&& group : {edge_cases(), unicode_texts(), code_texts()}) f.insert(f.end(), group.begin(), group.end());
  for (const char* w : {"the",  "function", " return",      "\n",       "  ", "\t", "{", "}",  "();", " = ", "i++", "α",
                        "😀",    "‍",      "\xCC\x81",     "<",        ">",  "_",  "-", "::", "->",  "0",   "42",  "é",
                        "日本", " ",        "\xE2\x96\x81", "<unused1>"})
    f.push_back(w);
  return f;
}

// Long lines and long words (the reference BPEs a whole section at once).
inline std::vector<std::string> long_texts() {
  std::vector<std::string> t;
  t.push_back(repeat("a", 500));
  t.push_back(repeat("ab", 400));
  t.push_back(repeat("abc ", 600));
  t.push_back(repeat("0123456789", 120));
  t.push_back(repeat("😀", 200));
  t.push_back(repeat("日本語", 300));
  t.push_back("Supercalifragilisticexpialidocious" + repeat("ness", 50) + "antidisestablishmentarianism");
  t.push_back(repeat("const value = compute(input, options); ", 80));
  std::mt19937 rng(1234);
  std::string line;
  for (int i = 0; i < 3000; ++i) line.push_back(static_cast<char>('!' + rng() % 94));
  t.push_back(line);
  return t;
}

// `count` seeded random mixes of fragments (std::mt19937's raw output is fixed by the standard).
inline std::vector<std::string> random_mixes(int count, uint32_t seed) {
  std::vector<std::string> pool = fragments();
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string s;
    int pieces = 1 + static_cast<int>(rng() % 12);
    for (int j = 0; j < pieces; ++j) s += pool[rng() % pool.size()];
    out.push_back(std::move(s));
  }
  return out;
}

inline std::vector<std::string> cross_check_texts() {
  std::vector<std::string> all;
  for (auto&& group : {edge_cases(), unicode_texts(), code_texts(), long_texts(), random_mixes(160, 42)})
    all.insert(all.end(), group.begin(), group.end());
  return all;
}

}  // namespace pt::testcorpus
