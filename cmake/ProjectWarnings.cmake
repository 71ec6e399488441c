# Warnings are errors on the project's own code only; third-party headers come in as
# system includes through their imported targets.
function(ckptsim_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
    # GCC 12 reports false -Wrestrict positives inside std::string concatenation at -O3
    # (GCC bug 105329); everything else stays an error.
    -Wno-restrict
    -Werror)
endfunction()
