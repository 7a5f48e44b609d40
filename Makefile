# dockerclient: build, install, test and demo targets for C users.
#
#   make                      library (release) + header
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make test                 the whole suite: starts the private test engine, Rust + C tests
#   make demo                 the C tour in examples-c/ against $DOCKER_HOST or the test engine
#   make bench                benchmarks against other clients (prints ratios)
#   make header               regenerate include/dockerclient.h from src/ffi/ (pinned cbindgen)

PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
SOMAJOR  := 0
CARGO    ?= cargo
JOBS     ?= 2
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

.PHONY: all lib header install uninstall test test-c demo bench clean

all: lib

lib:
	$(CARGO) build --release -j$(JOBS)

# The build never writes into the source tree; this does (tests/header.rs checks it).
header:
	DC_WRITE_HEADER=1 $(CARGO) test -j$(JOBS) --test header

install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0755 $(RELEASE)/$(SO_BUILT) $(DESTDIR)$(LIBDIR)/$(SO_FULL)
	ln -sf $(SO_FULL) $(DESTDIR)$(LIBDIR)/$(SO_MAJOR)
	ln -sf $(SO_MAJOR) $(DESTDIR)$(LIBDIR)/$(SO_LINK)
	install -m 0644 $(RELEASE)/libdockerclient.a $(DESTDIR)$(LIBDIR)/libdockerclient.a
	install -m 0644 include/dockerclient.h $(DESTDIR)$(INCDIR)/dockerclient.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' dockerclient.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/dockerclient.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libdockerclient.so* $(DESTDIR)$(LIBDIR)/libdockerclient*.dylib \
	      $(DESTDIR)$(LIBDIR)/libdockerclient.a \
	      $(DESTDIR)$(INCDIR)/dockerclient.h $(DESTDIR)$(LIBDIR)/pkgconfig/dockerclient.pc

test:
	bash scripts/test-all.sh

test-c: lib
	bash scripts/test-c.sh

demo: lib
	bash scripts/demo.sh

bench: lib
	bash scripts/bench.sh

clean:
	$(CARGO) clean
	rm -rf target/c
