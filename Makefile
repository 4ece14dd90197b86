# sandboxrun — plain make. `make help` lists the targets.
CC      ?= gcc
PREFIX  ?= /usr/local
BUILD   ?= build
PKGS    := libseccomp libunwind yajl libxxhash
DEB_DEPS := libseccomp-dev libunwind-dev libxxhash-dev libyajl-dev check pkg-config busybox-static

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

.PHONY: all deps test unit conformance integration demo asan bench install clean help fmt
all: $(BIN)

help:
	@echo "make deps | all | test | demo | asan | bench | install PREFIX=... | clean"

# Installs only what is missing (apt-get). Needs root on a fresh machine.
deps:
	@missing=""; for p in $(DEB_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "deps: all present"; fi

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

test: deps
	$(MAKE) all unit conformance
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
