// Implementation of StopSignals (pipeline/relabel/relabel.h): scoped SIGINT/SIGTERM handlers that
// count stop requests for the relabel engine and restore the previous handlers on exit.
#include <csignal>

#include "pipeline/relabel/relabel.h"

namespace pt {
namespace {
std::atomic<int> g_stop_requests{0};
struct sigaction g_old_int, g_old_term;
extern "C" void on_stop_signal(int) { g_stop_requests.fetch_add(1); }
}  // namespace

StopSignals::StopSignals() {
  g_stop_requests = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<int>* StopSignals::counter() const { return &g_stop_requests; }

}  // namespace pt
