# SPDX-License-Identifier: GPL-2.0-or-later
# cmake -DPROFILES_DIR=dir [-DSELECTION=...] [-DDMI=...] -DOUTPUT=file -P list-profiles.cmake
# Writes the relative paths of the profiles a selection keeps, one a line (all of them when
# SELECTION and DMI are empty). Fails as the install would on an unknown id or an empty result.
cmake_minimum_required(VERSION 3.16)
include(${CMAKE_CURRENT_LIST_DIR}/SuspendfixProfileSelection.cmake)
if(NOT DEFINED PROFILES_DIR OR NOT DEFINED OUTPUT)
  message(FATAL_ERROR "usage: cmake -DPROFILES_DIR=dir [-DSELECTION=ids] [-DDMI=field=value;...] "
                      "-DOUTPUT=file -P list-profiles.cmake")
endif()
suspendfix_select_profiles(selected "${PROFILES_DIR}" "${SELECTION}" "${DMI}")
list(JOIN selected "\n" text)
file(WRITE "${OUTPUT}" "${text}\n")
