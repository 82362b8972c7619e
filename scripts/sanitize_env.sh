# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: the one clang ASan + UBSan (+ libFuzzer)
# build in build-asan, and sanitizer options under which any report fails the run.
# Override the directory with PICKTUNE_ASAN_BUILD_DIR.
export PICKTUNE_BUILD_DIR="${PICKTUNE_ASAN_BUILD_DIR:-build-asan}"
export PICKTUNE_BUILD_TYPE=RelWithDebInfo
export PICKTUNE_CMAKE_ARGS="-DCMAKE_CXX_COMPILER=clang++-14 -DPICKTUNE_SANITIZE=ON -DPICKTUNE_FUZZ=ON -DPICKTUNE_BENCH=OFF"
# A small quarantine (default 256 MB) keeps the peak-RSS tests (bounded memory while streaming)
# meaningful: freed blocks are still poisoned until 8 MB of later frees push them out.
export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=8:halt_on_error=1:abort_on_error=0:print_stacktrace=1:strict_string_checks=1:check_initialization_order=1:exitcode=86"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:report_error_type=1:exitcode=87"
export LSAN_OPTIONS="exitcode=88"
ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)"
[ -n "$ASAN_SYMBOLIZER_PATH" ] && export ASAN_SYMBOLIZER_PATH
