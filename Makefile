# dockerclient: build, install, test and demo targets for C users.
#
#   make                      library (release) + header
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make test                 the whole suite: starts the private test engine, Rust + C tests
#   make demo                 the C tour in examples-c/ against $DOCKER_HOST or the test engine
#   make bench                benchmarks against other clients (prints ratios)

PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
SOMAJOR  := 0
CARGO    ?= cargo
JOBS     ?= 2
RELEASE  := target/release

.PHONY: all lib install uninstall test test-c demo bench clean

all: lib

lib:
	$(CARGO) build --release -j$(JOBS)

install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0755 $(RELEASE)/libdockerclient.so $(DESTDIR)$(LIBDIR)/libdockerclient.so.$(VERSION)
	ln -sf libdockerclient.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdockerclient.so.$(SOMAJOR)
	ln -sf libdockerclient.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libdockerclient.so
	install -m 0644 $(RELEASE)/libdockerclient.a $(DESTDIR)$(LIBDIR)/libdockerclient.a
	install -m 0644 include/dockerclient.h $(DESTDIR)$(INCDIR)/dockerclient.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' dockerclient.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/dockerclient.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libdockerclient.so* $(DESTDIR)$(LIBDIR)/libdockerclient.a \
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
