# SPDX-License-Identifier: GPL-2.0-only
# xlb: one entry point. `make` builds, `make test` runs every tier, `make demo` shows it working.

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
# Deferred (=, not :=): `make deps all` on a bare machine installs gcc after this file is read.
ARCH_INC   = /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS    ?= -O2 -g
# Added to CFLAGS (compile and link) without replacing it: the sanitize tier's -fsanitize=...
EXTRA_CFLAGS ?=
CFLAGS    += $(EXTRA_CFLAGS) -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
             -Iinclude -Iuser -I$(BUILD) -D_GNU_SOURCE
BPF_CFLAGS  = -target bpf -O2 -g -Wall -Wextra -Werror -Iinclude -Ibpf -I$(ARCH_INC) \
             -Wno-unused-parameter
# -lzookeeper_st: failover mode zookeeper (xlbd) and xlbctl master, both driving the client's
# socket themselves (tools/deps.sh says why not the -mt library).
# -lmicrohttpd: xlbd's Prometheus endpoint (agent/metrics_http.c), run on xlbd's own loop in
# libmicrohttpd's external epoll mode: no thread, and HTTP's parsing left to a library that
# fuzzes its own.
# -ljson-c: the one JSON serializer (common/output.c), xlbd's control replies and xlbctl's
# --json alike; xlbctl parses xlbd's replies with it too.
LDLIBS    := -lbpf -lelf -lz -lsodium -lmnl -lzookeeper_st -lmicrohttpd -ljson-c
# The release, from one place: VERSION (a tarball has no git to ask); xlbd and xlbctl --version.
XLB_VERSION := $(shell cat VERSION)
VERSION_CFLAGS := -DXLB_VERSION='"$(XLB_VERSION)"'
# Test data is read from the checkout, wherever the binary is run from.
TEST_CFLAGS := -DXLB_TEST_DATA='"$(CURDIR)/tests/data"'

# One static library per folder of user/ (README, Layout); the two programs' mains are not in them.
# In dependency order: a folder includes only folders before it (tools/layout-check.sh, run by
# `make unit`, holds the tree to it), so the libraries link in the reverse order, each once.
LIB_DIRS  := common dispatch config check pair ctl agent import cli
MAINS     := user/agent/xlbd.c user/cli/xlbctl.c
LIB_SRCS  := $(filter-out $(MAINS),$(wildcard $(LIB_DIRS:%=user/%/*.c)))
LIB_OBJS  := $(LIB_SRCS:user/%.c=$(BUILD)/lib/%.o)
LIBS      := $(LIB_DIRS:%=$(BUILD)/lib%.a)
# LIB as a prerequisite, LIB_LINK on a link line.
LIB       := $(LIBS)
reverse    = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
LIB_LINK  := $(strip $(call reverse,$(LIBS)))
# Each object depends on the headers it includes, as gcc found them (-MMD); -MP keeps a deleted
# header from breaking the next build.
DEPFLAGS   = -MMD -MP -MF $@.d
# Only the sources that include the skeleton wait for clang and bpftool; config builds without.
SKEL_USERS := $(shell grep -l '"xlb.skel.h"' $(wildcard user/*/*.[ch]))
$(if $(filter %.h,$(SKEL_USERS)),$(error a header includes xlb.skel.h: $(filter %.h,$(SKEL_USERS))))

BPF_OBJS  := $(BUILD)/xlb.bpf.o $(BUILD)/bench.bpf.o $(BUILD)/flood.bpf.o $(BUILD)/decap.bpf.o
TEST_BPF  := $(BUILD)/peer_pass.bpf.o
SKELS     := $(BPF_OBJS:.bpf.o=.skel.h)

# The config's tests, one file per part of it (tests/unit/config_test.h is what they share).
CONFIG_TESTS := $(BUILD)/test_config_walk $(BUILD)/test_config_lb $(BUILD)/test_config_health \
             $(BUILD)/test_config_conns \
             $(BUILD)/test_config_pair $(BUILD)/test_config_zk \
             $(BUILD)/test_config_announce $(BUILD)/test_config_diff $(BUILD)/test_config_metrics
# The lb writer's, sync's and VRRP's tests, one file per theme; tests/unit/<family>_test.h says
# what a family shares, and a family whose fixture has code links tests/unit/<family>_test.c.
LB_TESTS  := $(BUILD)/test_lb_apply $(BUILD)/test_lb_restart $(BUILD)/test_lb_fail \
             $(BUILD)/test_sweep $(BUILD)/test_lb_sched
SYNC_TESTS := $(BUILD)/test_sync_codec $(BUILD)/test_sync_keys $(BUILD)/test_sync_bulk \
             $(BUILD)/test_sync_channel
VRRP_TESTS := $(BUILD)/test_vrrp_wire $(BUILD)/test_vrrp_fsm $(BUILD)/test_vrrp_group
ZK_TESTS  := $(BUILD)/test_zk_elect
BINS      := $(BUILD)/xlbd $(BUILD)/xlbctl $(BUILD)/xlb-http $(BUILD)/xlb-probe \
             $(BUILD)/xlb-vrrp-send $(BUILD)/xlb-conns-fill $(BUILD)/xlb-tun $(BUILD)/xlb-xfer \
             $(BUILD)/xlb-synflood
TESTS     := $(CONFIG_TESTS) $(LB_TESTS) $(SYNC_TESTS) $(VRRP_TESTS) $(ZK_TESTS) $(BUILD)/test_maglev \
             $(BUILD)/test_sched $(BUILD)/test_dispatch $(BUILD)/test_health $(BUILD)/test_dps \
             $(BUILD)/test_rtnl_watch $(BUILD)/test_loop $(BUILD)/test_spawn $(BUILD)/test_hash \
             $(BUILD)/test_onlink $(BUILD)/test_announce $(BUILD)/test_packet $(BUILD)/test_packet_frag $(BUILD)/test_packet_tun \
             $(BUILD)/test_packet_nat $(BUILD)/test_packet_conn $(BUILD)/test_packet_sched \
             $(BUILD)/test_packet_fuzz $(BUILD)/test_decap $(BUILD)/test_decap_fuzz \
             $(BUILD)/test_import $(BUILD)/test_log $(BUILD)/test_prom $(BUILD)/test_metrics_http \
             $(BUILD)/test_output
BENCH     := $(BUILD)/bench

.PHONY: all deps test unit packet netns sanitize demo bench clean install test-fresh
all: $(BINS) $(TESTS) $(BENCH) $(TEST_BPF)

deps:
	$(Q)tools/deps.sh

$(BUILD) $(BUILD)/lib:
	$(Q)mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/xlb/*.h) | $(BUILD)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/lib/%.o: user/%.c
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(filter $(LIB_OBJS),$(SKEL_USERS:user/%.c=$(BUILD)/lib/%.o)): $(BUILD)/xlb.skel.h
# The metrics' xlb_build_info carries the release too.
$(BUILD)/lib/agent/metrics.o: CFLAGS += $(VERSION_CFLAGS)
$(BUILD)/lib/agent/metrics.o: VERSION
# xlbctl decap loads the backends' decap program from its own skeleton.
$(BUILD)/lib/cli/decap.o: $(BUILD)/decap.skel.h

# lib<folder>.a holds the objects of user/<folder>/.
define LIB_RULE
$(BUILD)/lib$(1).a: $(filter $(BUILD)/lib/$(1)/%,$(LIB_OBJS))
	@echo "  AR      $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(LIB_DIRS),$(eval $(call LIB_RULE,$(d))))

-include $(wildcard $(BUILD)/*.d $(BUILD)/lib/*/*.d $(BUILD)/tools/*.d $(BUILD)/unit/*.d)

$(BUILD)/xlbd: user/agent/xlbd.c $(LIB) VERSION
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(VERSION_CFLAGS) $(DEPFLAGS) $< $(LIB_LINK) -o $@ $(LDLIBS) -lyaml

$(BUILD)/xlbctl: user/cli/xlbctl.c $(LIB) VERSION
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(VERSION_CFLAGS) $(DEPFLAGS) $< $(LIB_LINK) -o $@ $(LDLIBS) -lyaml

# The one tool that talks to maps (tests fill a pinned conns map with it).
$(BUILD)/xlb-conns-fill: tools/xlb-conns-fill.c $(wildcard include/xlb/*.h) | $(BUILD)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< -o $@ -lbpf

$(BUILD)/xlb-%: tools/xlb-%.c | $(BUILD)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< -o $@

# The test clients share their clocks, stop signals and argument parsing (tools/tool.h).
$(BUILD)/tools/tool.o: tools/tool.c
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/xlb-http $(BUILD)/xlb-probe $(BUILD)/xlb-xfer $(BUILD)/xlb-synflood: $(BUILD)/xlb-%: \
		tools/xlb-%.c $(BUILD)/tools/tool.o
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< $(BUILD)/tools/tool.o -o $@

# The tests' impostor on the segment: adverts from xlbd's own encoder.
$(BUILD)/xlb-vrrp-send: tools/xlb-vrrp-send.c $(LIB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< $(LIB_LINK) -o $@ $(LDLIBS) -lyaml

$(BUILD)/test_%: tests/unit/test_%.c $(LIB)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(TEST_CFLAGS) $(DEPFLAGS) $< $(filter %.o,$^) $(LIB_LINK) -o $@ $(LDLIBS) \
		-lyaml -lcmocka

$(BUILD)/unit/%.o: tests/unit/%.c
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LB_TESTS): $(BUILD)/unit/lb_test.o
$(SYNC_TESTS): $(BUILD)/unit/sync_test.o

# The packet tests build frames at every offset: UBSan, fatal, keeps the builders free of
# misaligned accesses and overflows (the data path itself runs in the kernel).
PKT_SAN   := -fsanitize=undefined -fno-sanitize-recover=undefined

# The packet tests of the real objects (test_decap, test_decap_fuzz: the backends' decap.bpf.c,
# its own skeleton).
PACKET    := $(BUILD)/test_packet $(BUILD)/test_packet_frag $(BUILD)/test_packet_tun \
             $(BUILD)/test_packet_nat $(BUILD)/test_packet_conn $(BUILD)/test_packet_sched \
             $(BUILD)/test_decap \
             $(BUILD)/test_decap_fuzz
$(PACKET): $(BUILD)/%: tests/packet/%.c tests/packet/fixture.h $(LIB) $(SKELS)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(PKT_SAN) -Itests/packet $(DEPFLAGS) $< $(LIB_LINK) -o $@ $(LDLIBS) -lyaml -lcmocka

$(BUILD)/test_packet_fuzz: tests/packet/test_packet_fuzz.c tests/packet/fixture.h $(LIB) $(SKELS)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(PKT_SAN) -Itests/packet $(DEPFLAGS) $< $(LIB_LINK) -o $@ $(LDLIBS) -lyaml

$(BUILD)/bench: tests/bench/bench.c tests/packet/fixture.h $(LIB) $(SKELS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -Itests/packet $(DEPFLAGS) $< $(LIB_LINK) -o $@ $(LDLIBS) -lyaml

UNIT      := $(CONFIG_TESTS) $(LB_TESTS) $(SYNC_TESTS) $(VRRP_TESTS) $(ZK_TESTS) $(BUILD)/test_maglev \
             $(BUILD)/test_sched $(BUILD)/test_dispatch $(BUILD)/test_health $(BUILD)/test_dps \
             $(BUILD)/test_rtnl_watch $(BUILD)/test_loop $(BUILD)/test_spawn $(BUILD)/test_hash \
             $(BUILD)/test_onlink $(BUILD)/test_announce $(BUILD)/test_import $(BUILD)/test_log \
             $(BUILD)/test_prom $(BUILD)/test_metrics_http $(BUILD)/test_output
unit: $(UNIT) $(BUILD)/hash_be.s $(BUILD)/xlbctl $(BUILD)/xlbd
	$(Q)set -e; for t in $(UNIT); do $$t; done
	$(Q)BUILD=$(BUILD) tests/unit/cli_usage.sh
	$(Q)tools/layout-check.sh $(LIB_DIRS)
	$(Q)tests/install.sh
	$(Q)if nm $(BUILD)/xlbctl | grep -E ' [TtDdBb] (xlb_ctl_listen|xlb_loop_)'; \
	then echo "xlbctl: links the loop or the control server (above)"; exit 1; \
	else echo "xlbctl: links no loop and no server code"; fi
	$(Q)if sed -n '/^xlb_hash_kats_match:/,/exit/p' $(BUILD)/hash_be.s | grep -qx '[[:space:]]*r0 = 1'; \
	then echo "hash: a big-endian build gives the known answers"; \
	else echo "hash: a big-endian build of xlb_flow_hash() misses the known answers"; exit 1; fi

# The flow hash compiled for a big-endian target; unit reads whether it folded to the known answers.
$(BUILD)/hash_be.s: tests/unit/hash_be.c tests/unit/hash_kat.h $(wildcard include/xlb/*.h) | $(BUILD)
	@echo "  BPFEB   $@"
	$(Q)$(CLANG) -target bpfeb -O2 -Iinclude -Itests/unit -I$(ARCH_INC) -S $< -o $@

# The fuzzer runs after the table, even when the table fails, so one report shows both.
packet: $(PACKET) $(BUILD)/test_packet_fuzz
	$(Q)rc=0; for t in $(PACKET); do $$t || rc=1; done; \
		$(BUILD)/test_packet_fuzz || rc=1; exit $$rc

# Every suite runs even when an earlier one fails, so one report shows everything.
# Each suite's time is printed after it, so the tier's budget can be seen where it goes.
NETNS_SUITES := run failover nat_pair sync_group startup cli decap modes conns flood sync_states \
             keepalived migrate zookeeper bgp systemd
netns: $(BINS) $(TEST_BPF)
	$(Q)rc=0; times=; for s in $(NETNS_SUITES); do t0=$$(date +%s); \
		tests/netns/$$s.sh || rc=1; times="$$times $$s $$(($$(date +%s) - t0))s"; done; \
		echo "netns: suite times:$$times"; exit $$rc

# The sanitize tier: the userspace built again, with ASan and UBSan, into its own folder; the
# unit and packet tests, a pair of xlbd under traffic, and xlbd under valgrind run from there
# (tests/netns/sanitize.sh). Any sanitizer report fails it.
SAN_BUILD  := build-asan
# -O1: what ASan's authors advise, and the build is faster. valgrind runs the plain xlbd.
SAN_CFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
sanitize: $(BUILD)/xlbd
	$(Q)$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) EXTRA_CFLAGS="$(SAN_CFLAGS)" \
		$(addprefix $(SAN_BUILD)/,xlbd xlbctl xlb-http xlb-probe peer_pass.bpf.o test_packet) \
		$(UNIT:$(BUILD)/%=$(SAN_BUILD)/%)
	$(Q)BUILD=$(abspath $(SAN_BUILD)) XLBD_PLAIN=$(abspath $(BUILD)/xlbd) \
		SAN_TESTS="$(notdir $(UNIT)) test_packet" tests/netns/sanitize.sh

# Every tier runs even when an earlier one fails, so one run shows everything; the last line
# names the tiers that failed.
TIERS     := unit packet netns sanitize fuzz-smoke
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)failed=; times=; for t in $(TIERS); do t0=$$(date +%s); \
		$(MAKE) --no-print-directory $$t || failed="$$failed $$t"; \
		times="$$times $$t $$(($$(date +%s) - t0))s"; done; echo "make test: tier times:$$times"; \
	if [ -n "$$failed" ]; then echo "make test: failed:$$failed"; exit 1; fi; \
	echo "make test: every tier passed ($(TIERS))"

# `make test` on a bare Debian 12 root (debootstrap, cached under /var/tmp); not part of `make test`.
test-fresh:
	$(Q)tools/test-fresh.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(BINS) $(TEST_BPF)
	$(Q)tools/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BENCH)
	$(Q)$(BUILD)/bench

# `make install PREFIX=/usr DESTDIR=/tmp/root`: the tree tests/install.sh holds it to (README,
# Running under systemd). The unit goes where systemd looks for a system unit of that prefix:
# /lib/systemd/system for /usr (Debian's, as `pkg-config --variable=systemdsystemunitdir systemd`
# says; /usr/lib is the same folder on a merged-/usr root), PREFIX/lib/systemd/system otherwise
# (systemd reads /usr/local/lib/systemd/system too). The config is /etc's whatever the prefix:
# an existing one is kept.
PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/xlb
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
UNITDIR   ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
MAN5      := man/xlb.yaml.5
MAN8      := man/xlbd.8 man/xlbctl.8
DOCS      := README.md configs/example.yaml configs/pair-a.yaml configs/pair-b.yaml

# The unit is written from its template at each install, so it always has this PREFIX's paths.
install: $(BUILD)/xlbd $(BUILD)/xlbctl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/xlb
	install -m 0755 $(BUILD)/xlbd $(BUILD)/xlbctl $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 configs/xlbctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/xlbctl
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' configs/xlbd.service.in \
		> $(DESTDIR)$(UNITDIR)/xlbd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xlbd.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/xlb/xlbd.yaml ]; then \
		echo "install: $(DESTDIR)$(SYSCONFDIR)/xlb/xlbd.yaml exists: kept"; \
	else install -m 0644 configs/example.yaml $(DESTDIR)$(SYSCONFDIR)/xlb/xlbd.yaml; fi

clean:
	rm -rf $(BUILD) $(SAN_BUILD)

# ---- control socket unit test; fuzzing (tests/fuzz/) ----
# Kept in one block: extra prerequisites for `all` and `unit` are added here, not in their lists.
TESTS     += $(BUILD)/test_control
UNIT      += $(BUILD)/test_control
all: $(BUILD)/test_control
unit: $(BUILD)/test_control

# The harnesses build with clang into their own folder: libFuzzer and the sanitizers need the
# parsers compiled with coverage, so the user/ sources they call are compiled again here.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_HARNESSES := config vrrp sync control
FUZZ_SRCS    := $(patsubst user/%.c,%,$(wildcard user/config/*.c user/dispatch/*.c)) pair/vrrp_pkt \
                pair/sync_pkt ctl/control common/output common/loop common/log common/addr common/names
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror \
                -Wno-missing-field-initializers -Iinclude -Iuser -Itests/fuzz -D_GNU_SOURCE \
                -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJS    := $(FUZZ_SRCS:%=$(FUZZ_BUILD)/obj/%.o)
FUZZ_LIB     := $(FUZZ_BUILD)/libxlb-fuzz.a
FUZZ_BINS    := $(FUZZ_HARNESSES:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-seeds
fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj:
	$(Q)mkdir -p $@

$(FUZZ_BUILD)/obj/%.o: user/%.c
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

-include $(wildcard $(FUZZ_BUILD)/obj/*/*.d)

# An archive, so each harness links (and counts coverage in) only what it calls.
$(FUZZ_LIB): $(FUZZ_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) -o $@ -lyaml -lsodium -lbpf -ljson-c

# tools/fuzz.sh replays tests/fuzz/regress/<h>/, then fuzzes from tests/fuzz/corpus/<h>/.
fuzz: $(FUZZ_BINS)
	$(Q)tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-smoke: $(FUZZ_BINS)
	$(Q)tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_HARNESSES)

# Rewrites the encoder-built seeds; the corpus is committed, so this runs only by hand.
fuzz-seeds: tests/fuzz/seeds.c $(LIB)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_LINK) -o $(BUILD)/fuzz-seeds $(LDLIBS) -lyaml
	$(Q)$(BUILD)/fuzz-seeds tests/fuzz/corpus

clean: fuzz-clean
.PHONY: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
