// Shared by the libFuzzer targets in tests/fuzz: FUZZ_CHECK aborts (a crash libFuzzer saves) when
// an invariant of the code under test does not hold, printing the condition and a note.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond, note)                                                                 \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   std::string_view(note).data());                                             \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

inline std::string_view fuzz_input(const unsigned char* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}
