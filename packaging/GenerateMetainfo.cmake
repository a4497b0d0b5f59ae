# Writes the AppStream metainfo from its template. AppStream wants screenshots as
# web addresses; the project's are in docs/screenshots, so they are listed only
# when SCREENSHOT_BASE_URL (the address that serves that folder) is given.
#   cmake -DIN=... -DOUT=... [-DSCREENSHOT_BASE_URL=https://.../docs/screenshots] -P GenerateMetainfo.cmake
# or include() it and call ddpm_generate_metainfo().

# file name | caption; the first is the default screenshot.
set(DDPM_APPSTREAM_SCREENSHOT_LIST
  "dataset.png|The Dataset view: the built-in digits, the chosen image and the class counts"
  "train.png|Training: loss, learning rate and gradient norm live, with samples from the EMA weights"
  "timeline.png|Forward noising: one digit along the timeline, with the schedule's curves"
  "denoise.png|Denoising step by step: the current sample beside the model's guess of the clean image"
  "samples.png|A grid of digits drawn from the shipped model"
)

function(ddpm_generate_metainfo in out base_url)
  set(DDPM_APPSTREAM_SCREENSHOTS "")
  if(base_url)
    set(DDPM_APPSTREAM_SCREENSHOTS "  <screenshots>\n")
    set(type " type=\"default\"")
    foreach(entry IN LISTS DDPM_APPSTREAM_SCREENSHOT_LIST)
      string(REPLACE "|" ";" parts "${entry}")
      list(GET parts 0 file)
      list(GET parts 1 caption)
      string(APPEND DDPM_APPSTREAM_SCREENSHOTS
        "    <screenshot${type}>\n      <caption>${caption}</caption>\n"
        "      <image>${base_url}/${file}</image>\n    </screenshot>\n")
      set(type "")
    endforeach()
    string(APPEND DDPM_APPSTREAM_SCREENSHOTS "  </screenshots>")
  endif()
  configure_file("${in}" "${out}" @ONLY)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  ddpm_generate_metainfo("${IN}" "${OUT}" "${SCREENSHOT_BASE_URL}")
endif()
