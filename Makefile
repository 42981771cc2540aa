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
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
             -Iinclude -Iuser -I$(BUILD) -D_GNU_SOURCE
BPF_CFLAGS  = -target bpf -O2 -g -Wall -Wextra -Werror -Iinclude -Ibpf -I$(ARCH_INC) \
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

.PHONY: all deps test unit packet netns demo bench clean install test-fresh
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

# `make test` on a bare Debian 12 root (debootstrap, cached under /var/tmp); not part of `make test`.
test-fresh:
	$(Q)tools/test-fresh.sh

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
