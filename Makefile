# Top-level driver: meson does the building, this file names the jobs.
# `make` builds build/cabin; `make check` installs what the tests need and
# runs the whole suite; `make demo` confines the bundled sample;
# `make install` copies cabin, libcabin (libcabin.so, libcabin-preload.so,
# the headers, cabin.pc), the man pages, bash completion and
# documentation under PREFIX, below DESTDIR when staging a package.

BUILD ?= build
ASAN_BUILD ?= build-asan
MESON ?= meson
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build deps tests-enabled check test demo bench lab install uninstall clean

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

# meson installs what meson.build marks (install : true, install_man,
# install_data).  The prefix is the build's option: set when PREFIX
# differs from it (so `make && sudo make install` does not regenerate the
# build as root), and the build after it regenerates meson's install plan.
# DESTDIR is made absolute: meson would take a relative one from the
# build directory.
install: $(BUILD)/build.ninja
	@if [ "$$($(MESON) introspect $(BUILD) --buildoptions | python3 -c \
		'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')" \
		!= "$(PREFIX)" ]; then \
		echo "$(MESON) configure $(BUILD) -Dprefix=$(PREFIX)"; \
		$(MESON) configure $(BUILD) -Dprefix=$(PREFIX); \
	fi
	$(MAKE) build
	$(MESON) install -C $(BUILD) --no-rebuild \
		$(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

# Removes what the last `make install` from this build wrote (meson's
# install log, DESTDIR included).
uninstall:
	ninja -C $(BUILD) uninstall

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
