// Test helper: a headless Chromium (Debian's /usr/bin/chromium) driven over the DevTools protocol
// on a pipe (--remote-debugging-pipe: commands on fd 3, replies and events on fd 4, NUL-separated
// JSON), so a test can load a page at a given width, read values from it, collect console errors
// and uncaught exceptions, and save a PNG screenshot. No port is opened. One browser per object;
// the destructor closes it and waits for the process.
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pt_test {

inline constexpr const char* kChromiumPath = "/usr/bin/chromium";

class Chromium {
 public:
  // Starts the browser with a fresh profile under `profile_dir`; ok() tells whether it answered.
  explicit Chromium(const std::filesystem::path& profile_dir) {
    int to_browser[2], from_browser[2];
    if (pipe(to_browser) != 0 || pipe(from_browser) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      // Move both ends above 4 first so neither dup2 clobbers the other, then close the rest.
      int rd = fcntl(to_browser[0], F_DUPFD, 100), wr = fcntl(from_browser[1], F_DUPFD, 100);
      dup2(rd, 3);
      dup2(wr, 4);
      for (int fd = 5; fd < 4096; ++fd) close(fd);
      std::string profile = "--user-data-dir=" + profile_dir.string();
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
      }
      execl(kChromiumPath, kChromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-pipe", profile.c_str(), "about:blank",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_browser[0]);
    close(from_browser[1]);
    out_ = to_browser[1];
    in_ = from_browser[0];
    auto target = call("Target.createTarget", {{"url", "about:blank"}}, false);
    if (!target || !(*target).contains("targetId")) return;
    auto attached = call("Target.attachToTarget", {{"targetId", (*target)["targetId"]}, {"flatten", true}}, false);
    if (!attached || !(*attached).contains("sessionId")) return;
    session_ = (*attached)["sessionId"];
    ok_ = call("Runtime.enable", nlohmann::json::object()) && call("Page.enable", nlohmann::json::object()) &&
          call("Log.enable", nlohmann::json::object());
  }
  ~Chromium() {
    if (out_ >= 0) {
      send("Browser.close", nlohmann::json::object(), false);
      close(out_);
    }
    if (in_ >= 0) close(in_);
    if (pid_ > 0) {
      for (int i = 0; i < 100; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        usleep(50000);
      }
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Chromium(const Chromium&) = delete;
  Chromium& operator=(const Chromium&) = delete;

  bool ok() const { return ok_; }

  // Sets the viewport and loads `url`, waiting for its load event. Console errors, failed loads
  // and uncaught exceptions seen from now on land in errors().
  bool load(const std::string& url, int width, int height = 900) {
    errors_.clear();
    if (!call("Emulation.setDeviceMetricsOverride",
              {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", width < 600}}))
      return false;
    loaded_ = false;
    auto nav = call("Page.navigate", {{"url", url}});
    if (!nav || (*nav).contains("errorText")) {
      errors_.push_back("navigate: " + (nav ? (*nav).dump() : std::string("no reply")));
      return false;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!loaded_ && std::chrono::steady_clock::now() < deadline)
      if (!pump(500)) break;
    return loaded_;
  }

  // Evaluates a JavaScript expression in the page and returns its value (by value).
  nlohmann::json eval(const std::string& expression) {
    auto r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}});
    if (!r || !(*r).contains("result")) return nullptr;
    if ((*r).contains("exceptionDetails")) errors_.push_back("eval: " + (*r)["exceptionDetails"].dump());
    return (*r)["result"].value("value", nlohmann::json());
  }

  // Writes a PNG of the whole page (beyond the viewport) to `path`.
  bool screenshot(const std::filesystem::path& path) {
    auto r = call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}});
    if (!r || !(*r).contains("data")) return false;
    std::ofstream(path, std::ios::binary) << base64_decode((*r)["data"].get<std::string>());
    return std::filesystem::file_size(path) > 0;
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  bool send(const std::string& method, const nlohmann::json& params, bool in_session) {
    nlohmann::json m = {{"id", ++next_id_}, {"method", method}, {"params", params}};
    if (in_session) m["sessionId"] = session_;
    std::string text = m.dump();
    text.push_back('\0');
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = write(out_, text.data() + done, text.size() - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Sends a command and waits for its reply (events meanwhile are handled); the reply's result.
  std::optional<nlohmann::json> call(const std::string& method, const nlohmann::json& params, bool in_session = true) {
    if (out_ < 0 || !send(method, params, in_session)) return std::nullopt;
    const int id = next_id_;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      for (size_t i = 0; i < replies_.size(); ++i)
        if (replies_[i].value("id", -1) == id) {
          nlohmann::json r = std::move(replies_[i]);
          replies_.erase(replies_.begin() + static_cast<long>(i));
          if (r.contains("error")) {
            errors_.push_back(method + ": " + r["error"].dump());
            return std::nullopt;
          }
          return r.value("result", nlohmann::json::object());
        }
      if (!pump(1000)) return std::nullopt;
    }
    return std::nullopt;
  }

  // Reads what is available (waiting up to timeout_ms) and handles each complete message.
  bool pump(int timeout_ms) {
    pollfd p{in_, POLLIN, 0};
    int rc = poll(&p, 1, timeout_ms);
    if (rc < 0) return false;
    if (rc == 0) return true;
    char buf[65536];
    ssize_t n = read(in_, buf, sizeof buf);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    for (size_t end; (end = buffer_.find('\0')) != std::string::npos;) {
      auto m = nlohmann::json::parse(buffer_.substr(0, end), nullptr, false);
      buffer_.erase(0, end + 1);
      if (!m.is_object()) continue;
      if (m.contains("id")) {
        replies_.push_back(std::move(m));
        continue;
      }
      std::string method = m.value("method", "");
      const nlohmann::json& params = m.contains("params") ? m["params"] : nlohmann::json::object();
      if (method == "Page.loadEventFired") loaded_ = true;
      if (method == "Runtime.exceptionThrown") errors_.push_back("exception: " + params.dump());
      if (method == "Runtime.consoleAPICalled" &&
          (params.value("type", "") == "error" || params.value("type", "") == "assert"))
        errors_.push_back("console: " + params.dump());
      if (method == "Log.entryAdded" && params.contains("entry") && params["entry"].value("level", "") == "error")
        errors_.push_back("log: " + params["entry"].dump());
    }
    return true;
  }

  static std::string base64_decode(const std::string& in) {
    auto val = [](char c) -> int {
      if (c >= 'A' && c <= 'Z') return c - 'A';
      if (c >= 'a' && c <= 'z') return c - 'a' + 26;
      if (c >= '0' && c <= '9') return c - '0' + 52;
      if (c == '+') return 62;
      if (c == '/') return 63;
      return -1;
    };
    std::string out;
    int bits = 0, acc = 0;
    for (char c : in) {
      int v = val(c);
      if (v < 0) continue;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((acc >> bits) & 0xff));
      }
    }
    return out;
  }

  pid_t pid_ = -1;
  int out_ = -1, in_ = -1;
  int next_id_ = 0;
  bool ok_ = false, loaded_ = false;
  std::string session_, buffer_;
  std::vector<nlohmann::json> replies_;
  std::vector<std::string> errors_;
};

}  // namespace pt_test
