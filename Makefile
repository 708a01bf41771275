# labgrade: grader for the Istio Traffic Management lab.
# make            build build/labgrade and build/labsim (warnings not fatal)
# make demo       grade the simulated lab cluster, reports in build/demo/
# make test       the whole suite, strict warnings, ASan + UBSan
# make bench      figures (not pass/fail)
# make install    PREFIX=/usr/local DESTDIR=
# V=1 shows the commands.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/labgrade
# Where bash-completion and zsh look (Debian's layout under PREFIX).
BASH_COMPLETION_DIR ?= $(DATADIR)/../bash-completion/completions
ZSH_COMPLETION_DIR ?= $(DATADIR)/../zsh/vendor-completions

BUILD ?= build
TBUILD ?= build-test
CC ?= cc

APT_PACKAGES = libcurl4-openssl-dev libcjson-dev libyaml-dev libssh2-1-dev \
	libcmocka-dev libmicrohttpd-dev libgnutls28-dev pkg-config \
	libxml2-utils openssl clang-format pmccabe libssl-dev openssh-server
PKGS = libcurl yaml-0.1 libcjson libssh2 libcrypto
SIM_PKGS = libmicrohttpd gnutls yaml-0.1 libcjson

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition \
	-Wdeclaration-after-statement -Wwrite-strings -Wpointer-arith \
	-Wundef -Wformat=2 -Wvla -Wno-sign-conversion -fno-common
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O2 -MMD -MP $(WARN)
ifeq ($(DEVELOPER),1)
BASE_CFLAGS += -Werror
endif
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

ifeq ($(V),1)
Q =
else
Q = @
endif

LG_SRC = $(wildcard harness/*.c checks/*.c reports/*.c)
LG_LIB_SRC = $(filter-out harness/main.c,$(LG_SRC))
SIM_SRC = $(wildcard fixtures/labsim/*.c) harness/xalloc.c harness/buf.c \
	harness/yaml.c
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT_SRC = $(wildcard tests/unit/support/*.c)

.PHONY: all deps test unit integration demo bench install clean lint \
	check-deps check-vagrant FORCE

all: deps
	$(Q)$(MAKE) --no-print-directory binaries

# ---------------------------------------------------------------------------
# Dependencies: Debian packages only. Installed via apt-get when root, else
# the exact command is printed.
deps:
	$(Q)missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
			grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "missing Debian packages; run:"; \
			echo "  sudo apt-get install -y$$missing"; exit 1; \
		fi; \
	fi

# ---------------------------------------------------------------------------
# Binaries, in $(BUILD). The test build uses another directory with strict
# warnings, sanitizers and -DLG_UNIT_TESTING.
binaries: $(BUILD)/labgrade $(BUILD)/labsim

LG_CFLAGS = $(BASE_CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	-DLG_DATADIR='"$(DATADIR)"' $(EXTRA_CFLAGS)
LG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
SIM_CFLAGS = $(BASE_CFLAGS) \
	$(shell pkg-config --cflags $(SIM_PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
SIM_LIBS = $(shell pkg-config --libs $(SIM_PKGS) 2>/dev/null) -lpthread -lm

LG_OBJ = $(LG_SRC:%.c=$(BUILD)/%.o)
LG_LIB_OBJ = $(LG_LIB_SRC:%.c=$(BUILD)/%.o)
SIM_OBJ = $(SIM_SRC:%.c=$(BUILD)/sim/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SUPPORT_OBJ = $(UNIT_SUPPORT_SRC:%.c=$(BUILD)/%.o)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(LG_CFLAGS) $(EXTRA_LDFLAGS) -c -o $@ $<

$(BUILD)/sim/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (labsim)")
	$(Q)$(CC) $(SIM_CFLAGS) -c -o $@ $<

$(BUILD)/labgrade: $(LG_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) -o $@ \
		$(LG_OBJ) $(LG_LIBS)

$(BUILD)/labsim: $(SIM_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) -o $@ \
		$(SIM_OBJ) $(SIM_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LG_LIB_OBJ) $(UNIT_SUPPORT_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(LG_CFLAGS) $(EXTRA_LDFLAGS) -o $@ $< $(LG_LIB_OBJ) \
		$(UNIT_SUPPORT_OBJ) \
		$(LG_LIBS) $(shell pkg-config --libs cmocka)

unit-binaries: $(UNIT_BIN)

# The tests' support objects are shared by every test binary: keep them.
.SECONDARY: $(UNIT_SUPPORT_OBJ)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# The suite: strict warnings, ASan + UBSan, unit then integration tests.
TEST_MAKE = $(MAKE) --no-print-directory BUILD=$(TBUILD) DEVELOPER=1 \
	EXTRA_CFLAGS="$(SAN_FLAGS) -DLG_UNIT_TESTING -O1" \
	EXTRA_LDFLAGS="$(SAN_FLAGS)"

test: deps
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(TEST_MAKE) binaries unit-binaries
	$(Q)$(TEST_MAKE) unit integration

export ASAN_OPTIONS = detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1

unit: unit-binaries
	$(Q)fail=0; pass=0; for t in $(UNIT_BIN); do \
		if $$t >$$t.log 2>&1; then \
			pass=$$((pass+1)); echo "  PASS    $$(basename $$t)"; \
		else fail=$$((fail+1)); echo "  FAIL    $$(basename $$t)"; \
			cat $$t.log; fi; \
	done; echo "unit: $$pass passed, $$fail failed"; [ $$fail = 0 ]

integration: binaries
	$(Q)LABGRADE=$(CURDIR)/$(BUILD)/labgrade LABSIM=$(CURDIR)/$(BUILD)/labsim \
		bash tests/integration/run.sh

# ---------------------------------------------------------------------------
demo: all
	$(Q)bash tests/demo.sh $(BUILD)

bench: all
	$(Q)bash tests/bench.sh $(BUILD)
	$(Q)bash tests/bench_batch.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)
	install -m 755 $(BUILD)/labgrade $(DESTDIR)$(BINDIR)/labgrade
	install -m 644 docs/labgrade.1 $(DESTDIR)$(MANDIR)/man1/labgrade.1
	install -m 644 rubric.yaml $(DESTDIR)$(DATADIR)/rubric.yaml
	install -d $(DESTDIR)$(BASH_COMPLETION_DIR) $(DESTDIR)$(ZSH_COMPLETION_DIR)
	install -m 644 contrib/completion/labgrade.bash \
		$(DESTDIR)$(BASH_COMPLETION_DIR)/labgrade
	install -m 644 contrib/completion/_labgrade \
		$(DESTDIR)$(ZSH_COMPLETION_DIR)/_labgrade

# ---------------------------------------------------------------------------
# Fuzzing (clang libFuzzer + ASan + UBSan): one harness per parser,
# tests/fuzz/fuzz_NAME.c, linked with every non-main labgrade object built in
# $(FUZZ_BUILD). `make fuzz` runs each for FUZZ_SECONDS, `make fuzz-smoke`
# for 10 s (CI). Seeds: tests/fuzz/corpus/NAME plus the fixtures listed in
# FUZZ_SEEDS_NAME; the grown corpus stays in $(FUZZ_BUILD)/corpus/NAME and
# crashes land in $(FUZZ_BUILD)/artifacts/. FUZZ_TARGETS picks harnesses.
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_ALL = $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BIN = $(FUZZ_ALL:%=$(FUZZ_BUILD)/fuzz/%)
FUZZ_MAKE = $(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	EXTRA_CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link -O1" \
	EXTRA_LDFLAGS=
FUZZ_SEEDS_fuzz_yaml = fixtures/manifests fixtures/scenarios \
	tests/data/rubric tests/data/kubeconfig tests/data/istio
FUZZ_SEEDS_fuzz_rubric = tests/data/rubric
FUZZ_SEEDS_fuzz_kubeconfig = tests/data/kubeconfig
FUZZ_SEEDS_fuzz_prom = tests/cases/circuit-breaking
FUZZ_SEEDS_fuzz_bookinfo = tests/data/bookinfo
FUZZ_SEEDS_fuzz_expect = tests/cases/sidecar-injection \
	tests/cases/istio-install
FUZZ_SEEDS_fuzz_istio = tests/data/istio tests/data/mesh fixtures/manifests \
	tests/cases/request-routing tests/cases/circuit-breaking
# The report harness checks JUnit XML with libxml2 when it is installed.
FUZZ_FLAGS_fuzz_report = $(shell pkg-config --exists libxml-2.0 2>/dev/null \
	&& echo -DFUZZ_HAVE_LIBXML2 \
	$$(pkg-config --cflags --libs libxml-2.0))
FUZZ_OPTS = -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_RUN = mkdir -p $(FUZZ_BUILD)/artifacts; fail=0; \
	for f in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$f; \
		dirs=""; $(foreach t,$(FUZZ_ALL),[ $$f = $t ] && \
			dirs="$(FUZZ_SEEDS_$t)";) seeds=""; \
		for d in tests/fuzz/corpus/$$f $$dirs; do \
			[ -d $$d ] && seeds="$$seeds $$d"; done; \
		log=$(FUZZ_BUILD)/$$f.log; \
		if $(FUZZ_BUILD)/fuzz/$$f -max_total_time=$$secs $(FUZZ_OPTS) \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$f- \
			$(FUZZ_BUILD)/corpus/$$f $$seeds >$$log 2>&1; then \
			echo "  FUZZ    $$f: $$(grep -o 'Done [0-9]* runs' $$log)," \
				"$$(grep -o 'cov: [0-9]*' $$log | tail -1)"; \
		else fail=1; echo "  CRASH   $$f (see $$log)"; \
			grep -E 'ERROR|SUMMARY|artifact' $$log | head -5; fi; \
	done; [ $$fail = 0 ]

.PHONY: fuzz fuzz-smoke fuzz-binaries

ifeq ($(BUILD),$(FUZZ_BUILD))
fuzz-binaries: $(FUZZ_BIN)
	@:
else
fuzz-binaries:
	$(Q)$(FUZZ_MAKE) fuzz-binaries
endif

$(FUZZ_BUILD)/fuzz/%: tests/fuzz/%.c $(LG_LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(LG_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LG_LIB_OBJ) \
		$(LG_LIBS) $(FUZZ_FLAGS_$*)

fuzz: fuzz-binaries
	$(Q)secs=$(FUZZ_SECONDS); $(FUZZ_RUN)

fuzz-smoke: fuzz-binaries
	$(Q)secs=10; $(FUZZ_RUN)

# ---------------------------------------------------------------------------
# Lint (CONTRIBUTING.md): formatting, banned functions, function size and
# complexity. Allowlists in tests/lint/ may only shrink.
LINT_DIRS = harness checks reports fixtures/labsim tests/fuzz
LINT_FILES = $(wildcard $(LINT_DIRS:%=%/*.c) $(LINT_DIRS:%=%/*.h))

lint:
	$(Q)bash tests/lint/lint.sh $(LINT_FILES)

# The Vagrantfile and its provisioning scripts: `vagrant validate` needs
# vagrant (Debian package), not VirtualBox.
check-vagrant:
	$(Q)shellcheck vagrant/*.sh tests/bench_batch.sh
	$(Q)vagrant validate

clean:
	rm -rf $(BUILD) $(TBUILD)
