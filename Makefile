# ckptsim: the two commands that matter are `make demo` and `make test`.
# Both install missing Debian packages first (scripts/install-deps), configure with
# CMake and build. Other targets: bench, asan, debug, clean.
BUILD_DIR ?= build/release
JOBS ?= 2
CMAKE_GENERATOR ?= $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CMAKE_ARGS ?=
# Swarm tests read their seed budget from here (CI bounds it; raise it locally).
export CKPTSIM_SWARM_SEEDS ?= 200

.PHONY: all deps configure build demo test bench asan debug clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -G "$(CMAKE_GENERATOR)" -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)

configure: deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/ckptsim run scenarios/wordcount-tm-crash.json --out out/demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 1500

bench: build
	scripts/run-benchmarks $(BUILD_DIR)

asan:
	$(MAKE) test BUILD_DIR=build/asan CMAKE_ARGS="-DCKPTSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCKPTSIM_BUILD_BENCH=OFF"

debug:
	$(MAKE) test BUILD_DIR=build/debug CMAKE_ARGS="-DCMAKE_BUILD_TYPE=Debug -DCKPTSIM_BUILD_BENCH=OFF"

clean:
	rm -rf build
