# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing with clang's libFuzzer under ASan and UBSan (tests/fuzz/README.md), in two halves:
#
# - the main build (tests/CMakeLists.txt includes this file) builds tests/fuzz as a separate
#   small project with clang, only the parsers and what they need, and registers the tests;
# - that project (tests/fuzz/CMakeLists.txt, SUSPENDFIX_FUZZ_SANITIZER_BUILD set) includes this
#   file too and builds one binary per target.
#
# suspendfix_add_fuzzer(NAME SOURCE [SEED_DIR...]) is the one entry point for both: add a
# target by adding a line to fuzzers.cmake.
get_filename_component(SUSPENDFIX_TOP "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(SUSPENDFIX_FUZZ_DIR "${CMAKE_CURRENT_LIST_DIR}")

if(NOT SUSPENDFIX_FUZZ_SANITIZER_BUILD)
  find_program(SUSPENDFIX_CLANGXX NAMES clang++ clang++-14)
  option(SUSPENDFIX_FUZZ "Build the libFuzzer targets with clang and run them in CTest (label fuzz)" ON)
  set(SUSPENDFIX_FUZZ_SECONDS 15 CACHE STRING "How long each fuzz target runs in CTest")
  if(NOT SUSPENDFIX_FUZZ OR NOT SUSPENDFIX_CLANGXX)
    message(STATUS "fuzz: off (SUSPENDFIX_FUZZ=${SUSPENDFIX_FUZZ}, clang++: ${SUSPENDFIX_CLANGXX})")
    return()
  endif()
  # clang without its runtime (Debian: libclang-rt-14-dev) cannot link libFuzzer: say so once
  # here rather than fail the build.
  set(probe "${PROJECT_BINARY_DIR}/CMakeFiles/fuzz-probe")
  file(WRITE "${probe}.cpp"
       "#include <cstddef>\n#include <cstdint>\nextern \"C\" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n")
  execute_process(COMMAND ${SUSPENDFIX_CLANGXX} -fsanitize=fuzzer,address,undefined "${probe}.cpp"
                          -o "${probe}"
                  RESULT_VARIABLE probe_failed OUTPUT_QUIET ERROR_QUIET)
  if(probe_failed)
    message(WARNING "fuzz: off, ${SUSPENDFIX_CLANGXX} cannot link libFuzzer with ASan and UBSan "
                    "(Debian: install libclang-rt-14-dev)")
    return()
  endif()
  include(ExternalProject)
  set(SUSPENDFIX_FUZZ_BINARY_DIR "${PROJECT_BINARY_DIR}/tests/fuzz")
  ExternalProject_Add(suspendfix_fuzzers
    SOURCE_DIR "${SUSPENDFIX_FUZZ_DIR}"
    BINARY_DIR "${SUSPENDFIX_FUZZ_BINARY_DIR}"
    CMAKE_GENERATOR "${CMAKE_GENERATOR}"
    CMAKE_ARGS -DCMAKE_CXX_COMPILER=${SUSPENDFIX_CLANGXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
               -DSUSPENDFIX_GENERATED_DIR=${PROJECT_BINARY_DIR}/generated
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    USES_TERMINAL_BUILD ON)
  add_dependencies(suspendfix_fuzzers suspendfix_core)  # the generated config.hpp
  file(MAKE_DIRECTORY "${PROJECT_BINARY_DIR}/fuzz-artifacts")
endif()

function(suspendfix_add_fuzzer name source)
  if(SUSPENDFIX_FUZZ_SANITIZER_BUILD)
    add_executable(fuzz_${name} ${source})
    target_link_libraries(fuzz_${name} PRIVATE suspendfix_fuzz_core)
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    return()
  endif()
  set(binary "${SUSPENDFIX_FUZZ_BINARY_DIR}/fuzz_${name}")
  set(seeds ${ARGN})
  foreach(directory corpus regressions)
    if(IS_DIRECTORY "${SUSPENDFIX_FUZZ_DIR}/${directory}/${name}")
      list(APPEND seeds "${SUSPENDFIX_FUZZ_DIR}/${directory}/${name}")
    endif()
  endforeach()
  set(options -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
              -artifact_prefix=${PROJECT_BINARY_DIR}/fuzz-artifacts/${name}-)
  if(EXISTS "${SUSPENDFIX_FUZZ_DIR}/${name}.dict")
    list(APPEND options -dict=${SUSPENDFIX_FUZZ_DIR}/${name}.dict)
  endif()
  # Every seed and every input that ever crashed, each run once: quick, deterministic.
  add_test(NAME fuzz_${name}_regressions COMMAND ${binary} ${options} -runs=0 ${seeds})
  # New inputs for a bounded time; what it finds goes to the build tree, never the sources.
  set(scratch "${PROJECT_BINARY_DIR}/fuzz-corpus/${name}")
  file(MAKE_DIRECTORY "${scratch}")
  add_test(NAME fuzz_${name}
           COMMAND ${binary} ${options} -max_total_time=${SUSPENDFIX_FUZZ_SECONDS} ${scratch} ${seeds})
  math(EXPR timeout "${SUSPENDFIX_FUZZ_SECONDS} + 120")
  set_tests_properties(fuzz_${name}_regressions fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT ${timeout})
endfunction()

include("${SUSPENDFIX_FUZZ_DIR}/fuzzers.cmake")
