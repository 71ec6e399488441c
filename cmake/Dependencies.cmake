# Every third-party dependency, found from Debian's packages (see scripts/debian-packages.txt
# and the README for why each one is here).
find_package(Boost 1.74 REQUIRED)                 # Boost.Graph (header-only parts): job graphs
find_package(spdlog REQUIRED)                     # logging with simulated-time prefixes
find_package(nlohmann_json 3.10 REQUIRED)         # scenario, trace and report JSON
find_package(CLI11 REQUIRED)                      # the ckptsim command line
if(CKPTSIM_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)                 # test framework (Debian ships v2)
  find_package(rapidcheck REQUIRED)               # property-based tests
endif()
if(CKPTSIM_BUILD_BENCH)
  find_package(benchmark REQUIRED)                # Google Benchmark hot-path suites
endif()
