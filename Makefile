# mysql-quiesce - a GNU make Makefile ($(shell), ifeq, -include): each
# object depends on the headers it includes, as the compiler lists them
# (-MMD, in a .d file beside it), and on this Makefile.
VERSION    = 0.1.0
PREFIX    ?= /usr
SBINDIR   ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=

CC        ?= cc
CFLAGS    ?= -O2 -g
WARN       = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wvla
# The MySQL client library: libmariadb or libmysqlclient, whichever is here.
DBCONFIG  := $(shell command -v mariadb_config || command -v mysql_config)
DB_CFLAGS := $(if $(DBCONFIG),$(shell $(DBCONFIG) --cflags),$(shell pkg-config --cflags libmariadb mysqlclient 2>/dev/null))
DB_LIBS   := $(if $(DBCONFIG),$(shell $(DBCONFIG) --libs),$(shell pkg-config --libs libmariadb mysqlclient 2>/dev/null))
INIH_CFLAGS := $(shell pkg-config --cflags inih 2>/dev/null)
INIH_LIBS   := $(or $(shell pkg-config --libs inih 2>/dev/null),-linih)
# The EBS backend: libcurl (HTTPS) and OpenSSL's libcrypto (SigV4's
# HMAC), their headers only: each is loaded with dlopen when first
# needed, so that no hook pays at exec for loading them (libcrypto alone
# costs about a millisecond here); expat (EC2's XML), jansson (the
# instance role's JSON).
AWS_CFLAGS  := $(shell pkg-config --cflags libcurl expat jansson libcrypto 2>/dev/null)
AWS_LIBS    := $(or $(shell pkg-config --libs expat jansson 2>/dev/null),-lexpat -ljansson) -ldl

BASE_CFLAGS = -std=c11 -Iinclude $(DB_CFLAGS) $(INIH_CFLAGS) $(AWS_CFLAGS) \
              -DVERSION='"$(VERSION)"'
ALL_CFLAGS  = $(BASE_CFLAGS) $(WARN) $(CFLAGS)

# LINK = dynamic (the default) uses every library shared, as Debian
# policy wants and as security updates need: a fixed libmariadb or
# OpenSSL reaches us with the distribution's update. The client library
# is not linked but opened with dlopen by the first connection
# (src/db/dbapi.c): a thaw whose holder is alive never loads it.
# LINK = static links libmariadb, OpenSSL, zlib and inih from their
# archives when all are here (Debian's -dev packages ship them); libc,
# expat and jansson stay shared, and libcurl, loaded by snapshot --ebs
# only, brings the shared OpenSSL along for HTTPS. It saves about 2 ms of process start on each
# of the two starts before the lock (README, Benchmark); the cost: a fix
# to libmariadb or OpenSSL needs a rebuild.
LINK      ?= dynamic
STATIC_AR := $(shell for a in libmariadb.a libssl.a libcrypto.a libz.a \
		libinih.a; do [ "$$($(CC) -print-file-name=$$a)" != "$$a" ] || \
		exit 0; done; echo yes)
STATIC_LIBS = -Wl,-Bstatic -lmariadb -lssl -lcrypto -lz -linih -Wl,-Bdynamic \
             -lexpat -ljansson -ldl -lm -lpthread
ifeq ($(LINK)$(STATIC_AR),staticyes)
LIBS       = $(STATIC_LIBS)
DBAPI      = src/db/dbapi-linked.o
else
LIBS       = $(INIH_LIBS) $(AWS_LIBS)
DBAPI      = src/db/dbapi.o
endif

# The layers, top down, a folder each: the verbs (freeze, thaw, status,
# check, several servers); seed and snapshot; verify (seed uses it); the
# quiesce core and the snapshot backends; the AWS client; the database
# layer; the base (config, log, state, util). A file calls only into its
# own layer or below, with no circle (tests/layers.py, run by t0010).
VERB    = src/verb/check.c src/verb/freeze.c src/verb/multi.c \
          src/verb/status.c src/verb/thaw.c src/verb/wire.c src/verb/wirefile.c \
          src/verb/wiring.c
SEED    = src/seed/seed.c src/seed/seedrepl.c src/seed/sreport.c
SNAPSHOT = src/snapshot/snapshot.c src/snapshot/snapsteps.c
VERIFY  = src/verify/idmap.c src/verify/scratch.c src/verify/vbinlog.c \
          src/verify/vcheck.c src/verify/vcopy.c src/verify/vderive.c \
          src/verify/verify.c src/verify/vinfo.c src/verify/vrelay.c
CORE    = src/core/cycle.c src/core/fsfreeze.c src/core/holder.c src/core/holderctl.c \
          src/core/leftover.c \
          src/core/plan.c src/core/quiesce.c src/core/release.c
BACKEND = src/backend/backend.c src/backend/command.c src/backend/ebs.c \
          src/backend/ebskeep.c \
          src/backend/ebsvol.c
AWS     = src/aws/creds.c src/aws/ec2.c src/aws/http.c src/aws/imds.c \
          src/aws/sigv4.c src/aws/xml.c
DB      = src/db/committed.c src/db/coords.c src/db/db.c src/db/grants.c \
          src/db/binlog.c src/db/info.c src/db/recovery.c src/db/relaylog.c \
          src/db/seedsql.c \
          src/db/gtid.c src/db/lock.c src/db/plist.c src/db/stall.c src/db/stmt.c \
          src/db/window.c
BASE    = src/base/child.c src/base/config.c src/base/discover.c src/base/dynlib.c \
          src/base/event.c src/base/exits.c src/base/failure.c src/base/keys.c src/base/log.c \
          src/base/metrics.c \
          src/base/openpath.c src/base/optfile.c src/base/opts.c \
          src/base/rundir.c src/base/servers.c src/base/usage.c \
          src/base/state.c src/base/util.c
SRC = $(VERB) $(SEED) $(SNAPSHOT) $(VERIFY) $(CORE) $(BACKEND) $(AWS) $(DB) $(BASE)
OBJ = $(SRC:.c=.o)
HDR = $(wildcard include/*.h)
LINKS = pre-freeze-script post-thaw-script pre-freeze-mysql-lock
# the reference: the program and its verbs (8), the config (5)
MAN8  = man/mysql-quiesce.8 man/mysql-quiesce-snapshot.8 \
        man/mysql-quiesce-verify.8 man/mysql-quiesce-seed.8
MAN5  = man/mysql-quiesce.conf.5

all: mysql-quiesce

mysql-quiesce: $(OBJ) src/main.o $(DBAPI)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) src/main.o $(DBAPI) $(LIBS)

.c.o:
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# the table filled with the linked library's functions (LINK=static)
src/db/dbapi-linked.o: src/db/dbapi.c
	$(CC) $(ALL_CFLAGS) -MMD -MP -DMQ_DB_LINKED -c -o $@ src/db/dbapi.c

# the unit tests, one file per module (tests/units/unit.h says which)
UNIT_SRC = tests/units/main.c tests/units/aws.c tests/units/base.c \
           tests/units/coords.c tests/units/db.c tests/units/seed.c \
           tests/units/verify.c
UNIT_OBJ = $(UNIT_SRC:.c=.o)
ALL_OBJ = $(OBJ) src/main.o src/db/dbapi.o src/db/dbapi-linked.o $(UNIT_OBJ)
$(ALL_OBJ): Makefile
-include $(ALL_OBJ:.o=.d)

tests/unit: $(UNIT_OBJ) $(OBJ) $(DBAPI)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(OBJ) $(DBAPI) $(LIBS)

# The unit tests again, built with AddressSanitizer and UBSan: any
# out-of-bounds access or undefined behaviour in the parsers fails them.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
tests/unit-san: $(UNIT_SRC) tests/units/unit.h $(SRC) src/db/dbapi.c $(HDR) Makefile
	$(CC) $(BASE_CFLAGS) $(WARN) $(SAN_FLAGS) -o $@ $(UNIT_SRC) $(SRC) src/db/dbapi.c \
		$(LIBS)

# Static checks, run by tests/t0010-static.sh: every source compiles
# without a warning, and cppcheck finds nothing.
lint: lint-cc lint-cppcheck
lint-cc:
	for f in $(SRC) src/db/dbapi.c src/main.c $(UNIT_SRC) tests/bench-helper.c \
		tests/ptrace-stop.c tests/fd-probe.c; do \
		$(CC) $(ALL_CFLAGS) -Werror -fsyntax-only $$f || exit 1; done
lint-cppcheck:
	cppcheck --enable=warning,portability,performance --std=c11 -Iinclude \
		-D_GNU_SOURCE --error-exitcode=1 --inline-suppr --quiet src tests

# The named mutants of tests/mutants/list, each on a scratch copy: every
# one must be killed by the tests that claim to guard it. Not part of
# check (it runs the guarding tests once per mutant); the README says
# the last result.
mutants: all tests/ptrace-stop tests/fd-probe
	MYSQL_BASE="$(MYSQL_BASE)" tests/mutants/run

# check and demo first install what they need (Debian), then build.
deps:
	tests/deps.sh

check: deps
	$(MAKE) all tests/unit tests/unit-san tests/ptrace-stop tests/fd-probe
	tests/run

# The MySQL suite (tests/m*.sh) against the mysqld in MYSQL_BASE (any
# MySQL 8.0 build, or Oracle's tarball, laid out as bin/ and share/):
# make check-mysql MYSQL_BASE=/opt/mysql-8.0. Without it, it fails. One
# file at a time: its figures are the stalls writers feel.
MYSQL_LIBS = libicu72 liblz4-1 libprotobuf-lite32 libssl3 libstdc++6 libzstd1 zlib1g
check-mysql:
	@test -n "$(MYSQL_BASE)" || { echo "check-mysql: set MYSQL_BASE=DIR, a MySQL 8.0 with DIR/bin/mysqld and DIR/share" >&2; exit 1; }
	tests/deps.sh $(MYSQL_LIBS)
	$(MAKE) all tests/ptrace-stop tests/fd-probe
	MQ_JOBS=1 MYSQL_BASE="$(MYSQL_BASE)" tests/run tests/m[0-9]*.sh

tests/ptrace-stop: tests/ptrace-stop.c Makefile
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/ptrace-stop.c

tests/fd-probe: tests/fd-probe.c Makefile
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/fd-probe.c

# The other link, for make bench to set beside the default one.
tests/mysql-quiesce-static: $(OBJ) src/main.o src/db/dbapi-linked.o
	$(CC) $(LDFLAGS) -o $@ $(OBJ) src/main.o src/db/dbapi-linked.o \
		$(if $(STATIC_AR),$(STATIC_LIBS),$(DB_LIBS) $(LIBS))

tests/bench-helper: tests/bench-helper.c Makefile
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/bench-helper.c $(DB_LIBS)

# make bench: freeze latency and writer stalls, each lock method side
# by side, on a throwaway server (numbers, not pass/fail tests).
bench: deps
	$(MAKE) all tests/bench-helper tests/mysql-quiesce-static
	tests/bench.sh
	tests/bench-scale.sh

# make fuzz: every text parser under libFuzzer with ASan and UBSan, from
# the seed corpus in tests/fuzz-corpus, FUZZ_SECONDS long (clang).
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
tests/fuzz: tests/fuzz.c $(SRC) src/db/dbapi.c $(HDR) Makefile
	$(FUZZ_CC) $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o $@ tests/fuzz.c $(SRC) src/db/dbapi.c $(LIBS)

fuzz:
	tests/deps.sh clang
	$(MAKE) tests/fuzz
	tests/fuzz.sh $(FUZZ_SECONDS)

demo: deps
	$(MAKE) all
	tests/demo.sh

install: mysql-quiesce
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 mysql-quiesce $(DESTDIR)$(SBINDIR)/mysql-quiesce
	for l in $(LINKS); do \
		ln -sf mysql-quiesce $(DESTDIR)$(SBINDIR)/$$l || exit 1; done
	test -e $(DESTDIR)$(SYSCONFDIR)/mysql-quiesce.conf || \
		install -m 0600 etc/mysql-quiesce.conf \
			$(DESTDIR)$(SYSCONFDIR)/mysql-quiesce.conf
	install -m 0644 logrotate/mysql-quiesce \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/mysql-quiesce
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/

# make deb: the Debian package (debian/), built from a scratch copy of
# the tracked files in DEB_DIR so that the checkout stays clean; the
# .deb lands in DEB_DIR.
DEB_DIR ?= /tmp/mysql-quiesce-deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/mysql-quiesce-$(VERSION)
	git ls-files -z | xargs -0 cp --parents -t $(DEB_DIR)/mysql-quiesce-$(VERSION)
	cd $(DEB_DIR)/mysql-quiesce-$(VERSION) && dpkg-buildpackage -us -uc -b

# Wire the QEMU guest agent (Debian's starts with no hook) or VMware
# Tools: the installed binary's wire verb, which writes the caller's
# files as it requires them and never over one it did not write
# (mysql-quiesce wire --help). DESTDIR: into an image mounted there.
install-qemu:
	$(DESTDIR)$(SBINDIR)/mysql-quiesce wire qemu $(if $(DESTDIR),--root $(DESTDIR))

install-vmware:
	$(DESTDIR)$(SBINDIR)/mysql-quiesce wire vmware $(if $(DESTDIR),--root $(DESTDIR))

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mysql-quiesce \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/mysql-quiesce \
		$(MAN8:man/%=$(DESTDIR)$(MANDIR)/man8/%) \
		$(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)
	for l in $(LINKS); do rm -f $(DESTDIR)$(SBINDIR)/$$l; done

clean:
	rm -f mysql-quiesce src/*.o src/*/*.o tests/*.o tests/*/*.o src/*.d src/*/*.d \
		tests/*.d tests/*/*.d \
		tests/unit tests/bench-helper \
		tests/unit-san tests/fuzz tests/ptrace-stop tests/fd-probe \
		tests/mysql-quiesce-static

.PHONY: all bench deb deps check check-mysql demo fuzz mutants lint lint-cc lint-cppcheck install install-qemu install-vmware uninstall clean
