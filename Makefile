# dockerclient: build, install, test and demo targets for C users.
#
#   make                      library (release) + header
#   make install PREFIX=/usr/local [DESTDIR=...]   installs what `make` built (no rebuild:
#                             it works under sudo after a `make` as yourself)
#   make test                 the whole suite: starts the private test engine, Rust + C tests
#   make demo                 the C tour in examples-c/ against $DOCKER_HOST or the test engine
#   make docs                 the header's documentation as HTML (Doxygen) in target/docs
#   make bench                benchmarks against other clients (prints ratios)
#   make fuzz [FUZZ_SECONDS=60]  every cargo-fuzz target for a while (nightly; grows fuzz/corpus)
#   make header               regenerate include/dockerclient.h from src/ffi/ (pinned cbindgen)
#
# The shipped library has its debug information stripped (Cargo.toml's release profile);
# `make STRIP=false` keeps it (for a debugger or a profiler).

PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
CMAKEDIR ?= $(LIBDIR)/cmake/dockerclient
VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
MAJOR    := $(word 1,$(subst ., ,$(VERSION)))
MINOR    := $(word 2,$(subst ., ,$(VERSION)))
SOMAJOR  := 0
CARGO    ?= cargo
JOBS     ?= 2
STRIP    ?=
RELEASE  := target/release
# Shared library names: ELF (Linux, the BSDs) versus Mach-O (macOS), where the install name
# set by build.rs plays the SONAME's part.
ifeq ($(shell uname -s),Darwin)
SO_BUILT := libdockerclient.dylib
SO_FULL  := libdockerclient.$(VERSION).dylib
SO_MAJOR := libdockerclient.$(SOMAJOR).dylib
SO_LINK  := libdockerclient.dylib
else
SO_BUILT := libdockerclient.so
SO_FULL  := libdockerclient.so.$(VERSION)
SO_MAJOR := libdockerclient.so.$(SOMAJOR)
SO_LINK  := libdockerclient.so
endif

.PHONY: all lib header install uninstall test test-c demo docs bench fuzz clean

all: lib

lib:
	$(if $(STRIP),CARGO_PROFILE_RELEASE_STRIP=$(STRIP)) $(CARGO) build --release -j$(JOBS)

# The build never writes into the source tree; this does (tests/header.rs checks it).
header:
	DC_WRITE_HEADER=1 $(CARGO) test -j$(JOBS) --test header

# Installs what `make` built, without building (so `sudo make install` needs no toolchain and
# writes nothing into target/ as root).
install:
	@test -f $(RELEASE)/$(SO_BUILT) -a -f $(RELEASE)/libdockerclient.a || \
	    { echo "nothing built: run \`make\` first (as yourself), then \`make install\`"; exit 1; }
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(CMAKEDIR)
	install -m 0755 $(RELEASE)/$(SO_BUILT) $(DESTDIR)$(LIBDIR)/$(SO_FULL)
	ln -sf $(SO_FULL) $(DESTDIR)$(LIBDIR)/$(SO_MAJOR)
	ln -sf $(SO_MAJOR) $(DESTDIR)$(LIBDIR)/$(SO_LINK)
	install -m 0644 $(RELEASE)/libdockerclient.a $(DESTDIR)$(LIBDIR)/libdockerclient.a
	install -m 0644 include/dockerclient.h include/dockerclient.hpp $(DESTDIR)$(INCDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' dockerclient.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/dockerclient.pc
	sed -e 's|@LIB_REL@|$(shell realpath -m --relative-to=$(CMAKEDIR) $(LIBDIR))|' \
	    -e 's|@INC_REL@|$(shell realpath -m --relative-to=$(CMAKEDIR) $(INCDIR))|' \
	    -e 's|@SO_FULL@|$(SO_FULL)|' -e 's|@SO_MAJOR@|$(SO_MAJOR)|' -e 's|@SOMAJOR@|$(SOMAJOR)|' \
	    -e 's|@VERSION@|$(VERSION)|' cmake/dockerclientConfig.cmake.in > $(DESTDIR)$(CMAKEDIR)/dockerclientConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@MAJOR@|$(MAJOR)|' -e 's|@MINOR@|$(MINOR)|' \
	    cmake/dockerclientConfigVersion.cmake.in > $(DESTDIR)$(CMAKEDIR)/dockerclientConfigVersion.cmake
	@if [ -z "$(DESTDIR)" ] && [ "$$(uname -s)" = Linux ] && ! ldconfig -p 2>/dev/null | grep -q $(SO_MAJOR); then \
	    echo "installed in $(LIBDIR): run \`ldconfig\` (as root) so that programs find $(SO_MAJOR)"; fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libdockerclient.so* $(DESTDIR)$(LIBDIR)/libdockerclient*.dylib \
	      $(DESTDIR)$(LIBDIR)/libdockerclient.a \
	      $(DESTDIR)$(INCDIR)/dockerclient.h $(DESTDIR)$(INCDIR)/dockerclient.hpp \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/dockerclient.pc
	rm -rf $(DESTDIR)$(CMAKEDIR)

test:
	bash scripts/test-all.sh

test-c: lib
	bash scripts/test-c.sh

demo: lib
	bash scripts/demo.sh

docs:
	bash scripts/docs.sh

bench: lib
	bash scripts/bench.sh

FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	$(CARGO) clean
	rm -rf target/c
