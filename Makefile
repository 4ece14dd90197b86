# sandboxrun — plain make. `make help` lists the targets.
CC      ?= gcc
PREFIX  ?= /usr/local
BUILD   ?= build
PKGS    := libseccomp libunwind yajl libxxhash
# The real container clients tests/integration/clients/ drive (each test
# skips when its client is absent); .ci/run installs them.
CLIENT_DEBS := containerd docker.io podman
DEB_DEPS := libseccomp-dev libunwind-dev libxxhash-dev libyajl-dev check pkg-config busybox-static \
	clang debootstrap

CFLAGS_BASE := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -I. \
	-Wno-unused-parameter -fno-strict-aliasing
CFLAGS  ?=
override CFLAGS += $(CFLAGS_BASE) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lseccomp -lunwind -lyajl -lxxhash)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

# Every .c under these directories is part of the one binary; files can be
# added without touching this Makefile.
SRC_DIRS := runsc gofer sentry sentry/vfs sentry/fs syscalls platform platform/ptrace platform/kvm
SRCS     := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))
OBJS     := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(filter-out $(BUILD)/obj/runsc/main.o,$(OBJS))
BIN      := $(BUILD)/sandboxrun

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

CONF_SRCS := $(wildcard tests/conformance/*.c)
CONF_BINS := $(CONF_SRCS:tests/conformance/%.c=$(BUILD)/conformance/%)

.PHONY: all deps client-deps test unit conformance integration demo asan bench install clean help fmt \
	fuzz fuzz-build
all: $(BIN)

help:
	@echo "make deps | client-deps | all | test | demo | asan | bench | fuzz [FUZZ_SECONDS=60] | install PREFIX=... | clean"

# Installs only what is missing (apt-get). Needs root on a fresh machine.
deps:
	@missing=""; for p in $(DEB_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "deps: all present"; fi

client-deps:
	@$(MAKE) --no-print-directory deps DEB_DEPS="$(CLIENT_DEBS)"

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# -rdynamic: crash backtraces name functions through dladdr.
$(BIN): $(OBJS)
	$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

# Unit tests link against an archive so each pulls in only what it uses.
$(BUILD)/libsandboxrun.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libsandboxrun.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libsandboxrun.a $(LDLIBS) $(CHECK_LIBS)

# Conformance programs are static so they run unchanged natively and in the
# sandbox (the foundation sentry loads static ELF only).
$(BUILD)/conformance/%: tests/conformance/%.c tests/conformance/conformance.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O1 -g -static -o $@ $<

unit: $(UNIT_BINS)
conformance: $(CONF_BINS)

# libFuzzer targets (fuzz/*_fuzz.c) need clang with -fsanitize=fuzzer;
# without it fuzz-build says so and builds nothing (make test then skips
# the fuzz smoke run, tests/integration/gofer_fuzz.sh).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_OK       = $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	$(FUZZ_CC) $(FUZZ_CFLAGS) -x c - -o /dev/null >/dev/null 2>&1 && echo yes)

$(FUZZ_DIR)/gofer_decode_fuzz: fuzz/gofer_decode_fuzz.c gofer/protocol.c gofer/protocol.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/gofer_decode_fuzz.c gofer/protocol.c

# The seed corpus is made by the encoders, so it follows the protocol.
$(FUZZ_DIR)/gofer_seeds: fuzz/gofer_seeds.c gofer/protocol.c gofer/protocol.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ fuzz/gofer_seeds.c gofer/protocol.c

fuzz-build:
	@if [ "$(FUZZ_OK)" = yes ]; then \
	  $(MAKE) --no-print-directory $(FUZZ_DIR)/gofer_decode_fuzz $(FUZZ_DIR)/gofer_seeds; \
	else echo "fuzz: $(FUZZ_CC) with libFuzzer (-fsanitize=fuzzer) not available: not built"; fi

# Runs the gofer message decoder fuzzer for FUZZ_SECONDS; the corpus it
# grows stays in $(FUZZ_DIR)/corpus for the next run.
fuzz: deps fuzz-build
	@[ -x $(FUZZ_DIR)/gofer_decode_fuzz ] || { echo "fuzz: no fuzzer built"; exit 1; }
	@rm -rf $(FUZZ_DIR)/seeds && $(FUZZ_DIR)/gofer_seeds $(FUZZ_DIR)/seeds
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/crashes
	$(FUZZ_DIR)/gofer_decode_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_DIR)/crashes/ $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds

test: deps
	$(MAKE) all unit conformance fuzz-build
	@BUILD=$(BUILD) tests/run-all.sh

demo: deps
	$(MAKE) all
	@BUILD=$(BUILD) tests/demo.sh

asan: deps
	$(MAKE) BUILD=build-asan CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -O1" \
	  all unit conformance
	@BUILD=build-asan SANDBOXRUN_ASAN=1 tests/run-all.sh

bench: deps
	$(MAKE) all conformance
	@BUILD=$(BUILD) tests/bench/run.sh

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sandboxrun
	ln -sf sandboxrun $(DESTDIR)$(PREFIX)/bin/runsc-c

clean:
	rm -rf build build-asan

-include $(OBJS:.o=.d)
