# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzz targets, one line each: name, source, and seed directories besides corpus/NAME and
# regressions/NAME (README.md). The same list builds the binaries in the sanitizer build and
# registers their tests in the main build.
suspendfix_add_fuzzer(profile fuzz_profile.cpp
                      ${SUSPENDFIX_TOP}/profiles ${SUSPENDFIX_TOP}/tests/data/profiles)
suspendfix_add_fuzzer(config fuzz_config.cpp)
suspendfix_add_fuzzer(cache fuzz_cache.cpp)
suspendfix_add_fuzzer(state fuzz_state.cpp)
suspendfix_add_fuzzer(sleeps fuzz_sleeps.cpp)
suspendfix_add_fuzzer(log fuzz_log.cpp)
suspendfix_add_fuzzer(pm_utils fuzz_pm_utils.cpp)
