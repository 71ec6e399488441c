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
# RocksDB (librocksdb-dev): the embedded keyed state backend. Debian ships no CMake
# config for it, so find the header and the shared library directly.
find_path(ROCKSDB_INCLUDE_DIR rocksdb/db.h)
find_library(ROCKSDB_LIBRARY NAMES rocksdb)
if(NOT ROCKSDB_INCLUDE_DIR OR NOT ROCKSDB_LIBRARY)
  message(FATAL_ERROR "RocksDB not found: install Debian's librocksdb-dev (scripts/debian-packages.txt)")
endif()
add_library(ckptsim_rocksdb INTERFACE)
target_include_directories(ckptsim_rocksdb SYSTEM INTERFACE "${ROCKSDB_INCLUDE_DIR}")
target_link_libraries(ckptsim_rocksdb INTERFACE "${ROCKSDB_LIBRARY}")
