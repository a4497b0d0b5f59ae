# Writes ddpm.1: the template ddpm.1.in with its @DDPM_VERBS@ line replaced by the
# VERBS section that ddpm-man-options prints from the option table
# (app/cli/OptionTable.cpp), the entries 'ddpm VERB --help' prints too.
#   cmake -DGENERATOR=.../ddpm-man-options -DIN=.../ddpm.1.in -DOUT=.../ddpm.1 -P GenerateManPage.cmake
foreach(var IN ITEMS GENERATOR IN OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "GenerateManPage.cmake: -D${var}=... is required")
  endif()
endforeach()

execute_process(COMMAND "${GENERATOR}"
  OUTPUT_VARIABLE verbs ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR verbs STREQUAL "")
  message(FATAL_ERROR "${GENERATOR} failed (${status}): ${errors}")
endif()

file(READ "${IN}" page)
set(placeholder "\n@DDPM_VERBS@\n")
string(FIND "${page}" "${placeholder}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${IN} has no line @DDPM_VERBS@")
endif()
string(REPLACE "${placeholder}" "\n${verbs}" page "${page}")
file(WRITE "${OUT}" "${page}")
