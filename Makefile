# Top-level driver: meson does the building, this file names the jobs.
# `make` builds build/cabin; `make check` installs what the tests need and
# runs the whole suite; `make demo` confines the bundled sample.

BUILD ?= build
ASAN_BUILD ?= build-asan
MESON ?= meson

.PHONY: all build deps tests-enabled check test demo bench lab clean

all: build

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	scripts/install-deps.sh

$(ASAN_BUILD)/build.ninja:
	CC=clang $(MESON) setup $(ASAN_BUILD) --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false -Dtests=enabled

# The suites need the unit tests built: cmocka is required, not optional.
tests-enabled: $(BUILD)/build.ninja
	$(MESON) configure $(BUILD) -Dtests=enabled

check: deps
	$(MAKE) tests-enabled
	$(MAKE) build
	$(MAKE) $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	tests/run-all.sh $(BUILD) $(ASAN_BUILD)

test: tests-enabled
	$(MAKE) build
	tests/run-all.sh $(BUILD)

demo:
	scripts/install-deps.sh build
	$(MAKE) build
	samples/demo.sh $(BUILD)

bench: build
	bench/run.sh

# The emulated hardware lab: Debian's own kernel under QEMU (TCG), with
# protection keys, ia32 emulation, Landlock ABI 2 and nested svm.
lab: build
	tests/lab/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
