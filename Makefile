# SPDX-License-Identifier: GPL-2.0-only
# xlb: one entry point. `make` builds, `make test` runs every tier, `make demo` shows it working.

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH_INC  := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
             -Iinclude -Iuser -I$(BUILD) -D_GNU_SOURCE
BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Werror -Iinclude -Ibpf -I$(ARCH_INC) \
             -Wno-unused-parameter
LDLIBS    := -lbpf -lelf -lz -lsodium

LIB_SRCS  := $(filter-out user/xlbd.c user/xlbctl.c,$(wildcard user/*.c))
LIB_OBJS  := $(LIB_SRCS:user/%.c=$(BUILD)/lib/%.o)
LIB       := $(BUILD)/libxlb.a

BPF_OBJS  := $(BUILD)/xlb.bpf.o $(BUILD)/bench.bpf.o
TEST_BPF  := $(BUILD)/peer_pass.bpf.o
SKELS     := $(BPF_OBJS:.bpf.o=.skel.h)

BINS      := $(BUILD)/xlbd $(BUILD)/xlbctl $(BUILD)/xlb-http $(BUILD)/xlb-probe
TESTS     := $(BUILD)/test_config $(BUILD)/test_maglev $(BUILD)/test_health $(BUILD)/test_sync \
             $(BUILD)/test_lb \
             $(BUILD)/test_vrrp \
             $(BUILD)/test_packet
BENCH     := $(BUILD)/bench

.PHONY: all deps test unit packet netns demo bench clean install
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

$(BUILD)/lib/%.o: user/%.c $(wildcard user/*.h) $(wildcard include/xlb/*.h) $(BUILD)/xlb.skel.h | $(BUILD)/lib
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xlbd: user/xlbd.c $(LIB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $< $(LIB) -o $@ $(LDLIBS) -lyaml

$(BUILD)/xlbctl: user/xlbctl.c $(LIB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $< $(LIB) -o $@ $(LDLIBS) -lyaml -ljson-c

$(BUILD)/xlb-%: tools/xlb-%.c | $(BUILD)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $< -o $@

$(BUILD)/test_%: tests/unit/test_%.c $(LIB)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $< $(LIB) -o $@ $(LDLIBS) -lyaml -lcmocka

$(BUILD)/test_packet: tests/packet/test_packet.c tests/packet/fixture.h $(LIB) $(SKELS)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) -Itests/packet $< $(LIB) -o $@ $(LDLIBS) -lyaml -lcmocka

$(BUILD)/bench: tests/bench/bench.c tests/packet/fixture.h $(LIB) $(SKELS)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -Itests/packet $< $(LIB) -o $@ $(LDLIBS) -lyaml

UNIT      := $(BUILD)/test_config $(BUILD)/test_maglev $(BUILD)/test_health $(BUILD)/test_sync \
             $(BUILD)/test_lb \
             $(BUILD)/test_vrrp
unit: $(UNIT)
	$(Q)set -e; for t in $(UNIT); do $$t; done

packet: $(BUILD)/test_packet
	$(Q)$(BUILD)/test_packet

# Both suites run even when the first fails, so one report shows everything.
netns: $(BINS) $(TEST_BPF)
	$(Q)rc=0; tests/netns/run.sh || rc=1; tests/netns/failover.sh || rc=1; exit $$rc

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory packet
	$(Q)$(MAKE) --no-print-directory netns
	$(Q)$(MAKE) --no-print-directory fuzz-smoke

demo: deps
	$(Q)$(MAKE) --no-print-directory $(BINS) $(TEST_BPF)
	$(Q)tools/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BENCH)
	$(Q)$(BUILD)/bench

PREFIX ?= /usr/local
install: $(BUILD)/xlbd $(BUILD)/xlbctl
	install -D -m 0755 $(BUILD)/xlbd $(DESTDIR)$(PREFIX)/sbin/xlbd
	install -D -m 0755 $(BUILD)/xlbctl $(DESTDIR)$(PREFIX)/sbin/xlbctl
	install -D -m 0644 configs/xlbd.service $(DESTDIR)/etc/systemd/system/xlbd.service

clean:
	rm -rf $(BUILD)

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
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_HARNESSES := config vrrp sync control
FUZZ_SRCS    := config maglev vrrp_pkt sync_pkt control ctl_output loop log
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

$(FUZZ_BUILD)/obj/%.o: user/%.c $(wildcard user/*.h) $(wildcard include/xlb/*.h) | $(FUZZ_BUILD)/obj
	@echo "  FUZZCC  $@"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# An archive, so each harness links (and counts coverage in) only what it calls.
$(FUZZ_LIB): $(FUZZ_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	@echo "  FUZZ    $@"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) -o $@ -lyaml -lsodium -lbpf

# tools/fuzz.sh replays tests/fuzz/regress/<h>/, then fuzzes from tests/fuzz/corpus/<h>/.
fuzz: $(FUZZ_BINS)
	$(Q)tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-smoke: $(FUZZ_BINS)
	$(Q)tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_HARNESSES)

# Rewrites the encoder-built seeds; the corpus is committed, so this runs only by hand.
fuzz-seeds: tests/fuzz/seeds.c $(LIB)
	$(Q)$(CC) $(CFLAGS) $< $(LIB) -o $(BUILD)/fuzz-seeds $(LDLIBS) -lyaml
	$(Q)$(BUILD)/fuzz-seeds tests/fuzz/corpus

clean: fuzz-clean
.PHONY: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
