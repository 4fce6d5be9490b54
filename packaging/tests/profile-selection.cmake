# SPDX-License-Identifier: GPL-2.0-or-later
# profile_selection test: the per-model profile selection (packaging/cmake/
# SuspendfixProfileSelection.cmake), on made-up profiles and on every shipped one, the install
# step that prunes an installed tree, and the order of the install scripts.
#   cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DWORK_DIR=... -P profile-selection.cmake
cmake_minimum_required(VERSION 3.16)
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/SuspendfixProfileSelection.cmake)

macro(check condition_text)
  if(NOT (${ARGN}))
    message(SEND_ERROR "FAIL: ${condition_text}")
  endif()
endmacro()
function(expect_list what actual expected)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(SEND_ERROR "FAIL: ${what}: got '${actual}', expected '${expected}'")
  endif()
endfunction()

# --- Shell globs, as fnmatch(3) without flags -----------------------------------------------
foreach(case
        "XPS L501X*|XPS L501X|1" "XPS L501X*|XPS L501X A09|1" "XPS L501X*|XPS L502X|0"
        "MacBookPro1[34],[123]|MacBookPro13,2|1" "MacBookPro1[34],[123]|MacBookPro15,1|0"
        "*UM3406*|ASUS Zenbook 14 UM3406HA|1" "a.b?c|a.bXc|1" "a.b?c|aXbXc|0"
        "[!x]y|zy|1" "[!x]y|xy|0" "[]]|]|1" "[a-c]1|b1|1" "[a-c]1|d1|0" "a+b|a+b|1" "a+b|aab|0"
        "(x)|(x)|1" "\\*|*|1" "\\*|x|0" "[unclosed|[unclosed|1" "Dell Inc.|Dell Inc.|1"
        "Dell Inc.|Dell IncX|0")
  # Not a CMake list: brackets in the globs would upset list splitting.
  string(REGEX MATCH "^(.*)\\|(.*)\\|([01])$" unused "${case}")
  set(glob "${CMAKE_MATCH_1}")
  set(value "${CMAKE_MATCH_2}")
  set(want "${CMAKE_MATCH_3}")
  suspendfix_glob_to_regex(regex "${glob}")
  if("${value}" MATCHES "${regex}")
    set(got 1)
  else()
    set(got 0)
  endif()
  if(NOT got EQUAL want)
    message(SEND_ERROR "FAIL: glob '${glob}' (regex '${regex}') on '${value}': ${got}, expected ${want}")
  endif()
endforeach()

# --- Made-up profiles --------------------------------------------------------------------------
set(fake "${WORK_DIR}/profiles")
file(REMOVE_RECURSE "${WORK_DIR}")
file(WRITE "${fake}/a/dmi-only.yaml" [=[
# A model profile.
id: a-dmi
description: x
match:
  dmi:
    product_name: "XPS L501X*"   # a comment
actions:
  unload_modules: [xhci_hcd]
]=])
file(WRITE "${fake}/a/two-fields.yaml" [=[
id: "a-two"
notes: "an unbalanced [ and a ; in the text"
match:
  pci:
    - vendor: "8086"
      device: "1578"
  dmi:
    sys_vendor: "Apple*"
    product_name: "MacBookPro1[34],[123]"
sleep: [suspend]
]=])
file(WRITE "${fake}/b/device.yaml" [=[
id: b-device
match:
  pci:
    - {vendor: "1033", device: "0194"}
]=])
file(WRITE "${fake}/b/quoted.yaml" [=[
id: 'b-quoted'
match:
    dmi:
        board_name: 'O''Neil #1'
        product_name: Bare value # a comment
    usb:
      - vendor: "0bda"
]=])

suspendfix_select_profiles(got "${fake}" "" "")
expect_list("no selection" "${got}" "a/dmi-only.yaml;a/two-fields.yaml;b/device.yaml;b/quoted.yaml")
suspendfix_select_profiles(got "${fake}" "a-dmi" "")
expect_list("by id" "${got}" "a/dmi-only.yaml")
suspendfix_select_profiles(got "${fake}" "b/device b/quoted.yaml" "")
expect_list("by relative path" "${got}" "b/device.yaml;b/quoted.yaml")
suspendfix_select_profiles(got "${fake}" " a-two,b-device ;a-two " "")
expect_list("separators and duplicates" "${got}" "a/two-fields.yaml;b/device.yaml")
suspendfix_select_profiles(got "${fake}" "" "sys_vendor=Dell Inc.;product_name=XPS L501X")
expect_list("by DMI (device-only profiles are not chosen)" "${got}" "a/dmi-only.yaml")
suspendfix_select_profiles(got "${fake}" "" "sys_vendor=Apple Inc.;product_name=MacBookPro13,2")
expect_list("by DMI, two fields" "${got}" "a/two-fields.yaml")
suspendfix_select_profiles(got "${fake}" "" "product_name=Bare value;board_name=O'Neil #1")
expect_list("by DMI, quoted values" "${got}" "b/quoted.yaml")
suspendfix_select_profiles(got "${fake}" "b-device" "product_name=XPS L501X A09")
expect_list("ids and DMI together" "${got}" "a/dmi-only.yaml;b/device.yaml")

# Errors stop the configure or the install: run them in a child cmake.
function(expect_failure what selection dmi directory pattern)
  execute_process(COMMAND ${CMAKE_COMMAND} -DPROFILES_DIR=${directory} -DSELECTION=${selection}
                          -DDMI=${dmi} -DOUTPUT=${WORK_DIR}/out.txt
                          -P ${CMAKE_CURRENT_LIST_DIR}/../cmake/list-profiles.cmake
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  string(REGEX REPLACE "[ \n]+" " " output "${output}")
  if(status EQUAL 0)
    message(SEND_ERROR "FAIL: ${what}: did not fail")
  elseif(NOT output MATCHES "${pattern}")
    message(SEND_ERROR "FAIL: ${what}: the error does not match '${pattern}': ${output}")
  endif()
endfunction()
expect_failure("unknown id" "a-dmi nope" "" "${fake}" "no profile below .* has the id or relative path nope")
expect_failure("unknown DMI field" "" "colour=red" "${fake}" "'colour=red' is not field=value")
expect_failure("DMI without '='" "" "product_name" "${fake}" "'product_name' is not field=value")
expect_failure("nothing matches" "" "sys_vendor=Nobody" "${fake}" "keeps no profile")
expect_failure("one DMI field of two" "" "product_name=MacBookPro13,2" "${fake}" "keeps no profile")
file(WRITE "${WORK_DIR}/flow/x.yaml" "id: flow\nmatch:\n  dmi: {product_name: \"X*\"}\n")
expect_failure("flow-style match.dmi" "" "product_name=X" "${WORK_DIR}/flow" "not in block style")

# --- Every shipped profile: the reader finds its id, and the id selects it alone -----------------
suspendfix_profile_files(shipped "${SOURCE_DIR}/profiles")
list(LENGTH shipped count)
check("profiles/ holds profiles" count GREATER 0)
foreach(file IN LISTS shipped)
  suspendfix_read_profile(p "${SOURCE_DIR}/profiles/${file}")
  if(p_ID STREQUAL "")
    message(SEND_ERROR "FAIL: ${file}: no id found")
  endif()
  suspendfix_select_profiles(got "${SOURCE_DIR}/profiles" "${p_ID}" "")
  expect_list("${file} by its id ${p_ID}" "${got}" "${file}")
endforeach()
if(EXISTS "${SOURCE_DIR}/profiles/dell/xps-l501x.yaml")
  suspendfix_select_profiles(got "${SOURCE_DIR}/profiles" "" "sys_vendor=Dell Inc.;product_name=XPS L501X")
  expect_list("the Dell XPS L501X by DMI" "${got}" "dell/xps-l501x.yaml")
endif()

# --- The install step: prunes what this install put there, and only that ------------------------
# CMake lists installed files without DESTDIR; the step prepends DESTDIR itself.
set(ENV{DESTDIR} "${WORK_DIR}/destdir/")
set(installed "${WORK_DIR}/destdir/usr/share/suspendfix/profiles")
file(COPY "${fake}/" DESTINATION "${installed}")
file(WRITE "${installed}/z/foreign.yaml" "id: foreign\n")  # not installed by this install
set(CMAKE_INSTALL_MANIFEST_FILES "/usr/bin/suspendfix")
foreach(file a/dmi-only.yaml a/two-fields.yaml b/device.yaml b/quoted.yaml)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "/usr/share/suspendfix/profiles/${file}")
endforeach()
suspendfix_prune_installed_profiles("/usr/share/suspendfix/profiles" "a-two" "")
suspendfix_profile_files(left "${installed}")
expect_list("pruned tree" "${left}" "a/two-fields.yaml;z/foreign.yaml")
check("emptied directory b/ removed" NOT EXISTS "${installed}/b")
expect_list("manifest after pruning" "${CMAKE_INSTALL_MANIFEST_FILES}"
            "/usr/bin/suspendfix;/usr/share/suspendfix/profiles/a/two-fields.yaml")
unset(ENV{DESTDIR})

# --- Order: the packaging install script runs after the profiles are installed -------------------
if(EXISTS "${BINARY_DIR}/cmake_install.cmake")
  file(READ "${BINARY_DIR}/cmake_install.cmake" script)
  string(FIND "${script}" "/suspendfix/profiles\"" profiles_at)
  string(FIND "${script}" "/packaging/cmake_install.cmake" packaging_at)
  check("cmake_install.cmake installs the profiles" profiles_at GREATER -1)
  check("cmake_install.cmake includes packaging/" packaging_at GREATER -1)
  check("the profiles are installed before packaging/'s install script runs"
        profiles_at LESS packaging_at)
endif()

message(STATUS "profile_selection: done")
