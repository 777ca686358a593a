# SPDX-License-Identifier: GPL-2.0
#
# Logos microkernel: top-level build.
#
#   make            build logos.ko and every userspace part
#   make deps       install (apt-get) whatever the build and tests need
#   make check      deps + static checks + unit, KUnit and guest tests
#   make demo       deps + build + a demo inside a QEMU guest
#   make bench      deps + logos.ko + the IPC benchmark in one guest boot
#   make bench-scale  one logosd supervising 2,000 modules in one guest boot
#   make vm         an interactive shell in the guest with logos.ko loaded
#   make fuzz       the ioctl/netlink fuzzer on the debug kernel for
#                   DURATION seconds (default 600; SEED=N replays a run),
#                   then every libFuzzer target for LIBFUZZER_SECONDS each
#                   (default 120)
#   make chaos      kills, pauses, revocations and a hostile module under
#                   load for DURATION seconds of chaos (SEED=N replays)
#   make install    install into $(DESTDIR)$(PREFIX)
#   make deb        the Debian packages (dpkg-buildpackage) into build/deb/
#
# logos.ko is built against /lib/modules/$(KVER)/build; KVER defaults to the
# release of Debian's linux-headers-amd64 (the kernel the guest boots).

VERSION := 0.1.0
KVER ?= $(shell scripts/kver)
KDIR ?= /lib/modules/$(KVER)/build
LOGOS_CACHE ?= /var/cache/logos
export KVER LOGOS_CACHE

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
SRCDIR ?= /usr/src
MANDIR ?= $(DATADIR)/man
DESTDIR ?=

# Files that make up the DKMS source tree (/usr/src/logos-$(VERSION)).
DKMS_FILES := Kbuild dkms.conf $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h)) kmod/Kbuild \
	kmod/Kconfig uapi/linux/logos.h

# The userspace parts, built by their own Makefiles as they appear.
USER_DIRS := $(patsubst %/Makefile,%,$(wildcard ulib/Makefile daemon/Makefile tools/Makefile))

.PHONY: all module userspace deps check demo bench bench-scale vm fuzz chaos install install-files deb clean \
	$(USER_DIRS)

all: module userspace

module:
	@test -d $(KDIR) || { echo "No kernel headers at $(KDIR): run 'make deps' (or set KVER=)."; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace: $(USER_DIRS)

$(USER_DIRS):
	$(MAKE) -C $@

deps:
	scripts/install-deps

check: deps
	tests/check

demo: deps all
	$(MAKE) -C examples
	$(MAKE) -C tests/daemon
	tests/vm/run --timeout 900 -- scripts/demo

# Results in build/bench/ (see tests/bench/README.md); a missed target is
# not a failure, an error is.
# Wall-clock, then the deterministic cost mode (QEMU -icount, one vCPU), then
# both target tables side by side (tests/bench/README.md, "icount").
BENCH_ICOUNT ?= shift=0,sleep=off
bench: deps module
	tests/bench/run
	tests/bench/run --icount $(BENCH_ICOUNT) -- --budget-ms 100
	tests/bench/summary

# One logosd supervising 2,000 modules (LOGOS_SCALE_MODULES): figures in
# build/bench/scale.txt (tests/bench/README.md, "Scale").
bench-scale: deps
	tests/bench/scale

vm: deps module
	tests/vm/run

# Builds the debug kernel first if needed (scripts/build-debug-kernel).
DURATION ?= 600
LIBFUZZER_SECONDS ?= 120
fuzz: deps
	tests/fuzz/run --duration $(DURATION) $(if $(SEED),--seed $(SEED))
	tests/libfuzzer/run --seconds $(LIBFUZZER_SECONDS)

chaos: deps
	tests/chaos/run --duration $(DURATION) $(if $(SEED),--seed $(SEED))

install: all
	$(MAKE) install-files

# What `make install` copies, without building logos.ko first (the Debian
# packages ship its sources for DKMS; debian/rules uses this).
MANPAGES := $(wildcard man/*.[1-8])
install-files:
	install -d $(DESTDIR)$(INCLUDEDIR)/linux
	install -m 0644 uapi/linux/logos.h $(DESTDIR)$(INCLUDEDIR)/linux/logos.h
	install -d $(DESTDIR)$(SRCDIR)/logos-$(VERSION)
	for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(SRCDIR)/logos-$(VERSION)/$$f || exit 1; \
	done
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m#man/} || exit 1; \
	done
	for d in $(USER_DIRS); do \
		$(MAKE) -C $$d install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) || exit 1; \
	done

# dpkg-buildpackage in a copy of the tree (it writes its results next to
# the source directory, and a package build must not see local build/).
deb:
	scripts/build-deb

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	for d in $(USER_DIRS); do $(MAKE) -C $$d clean; done
	rm -rf build
