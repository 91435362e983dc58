# SPDX-License-Identifier: GPL-2.0-or-later
# Two entry points for a fresh Debian/Ubuntu machine:
#   make demo    install build deps, build, run vfiokit on the bundled sample host
#   make check   install build and test deps, build, run every test (also under ASan+UBSan)
# The build itself is Meson + Ninja: `meson setup build && ninja -C build`.

BUILD      ?= build
BUILD_SAN  ?= build-san
SAMPLE     ?= tests/fixtures/hosts/article

# Debian packages: build, then tests (QEMU and busybox boot a real kernel
# for the end-to-end fixture test; the reboot suite builds a Debian disk with
# mmdebstrap, partitions it with sfdisk and fills its ESP with mtools).
BUILD_DEPS = meson ninja-build pkg-config gcc libpci-dev libsmartcols-dev libxml2-dev libvirt-dev libjson-c-dev scdoc pci.ids tar gzip
TEST_DEPS  = libcmocka-dev python3 qemu-system-x86 busybox-static cpio kmod util-linux systemd clang clang-format-14 libclang-rt-14-dev \
	     ipxe-qemu seabios vgabios qemu-system-data libvirt-clients libxml2-utils ovmf shellcheck \
	     mmdebstrap fdisk dosfstools mtools qemu-utils zsh chromium ansible-core
# The packages' test (tests/packages.sh): dpkg-buildpackage builds the .deb
# (debhelper, and build-essential that dpkg-checkbuilddeps requires; no
# fakeroot: debian/control says Rules-Requires-Root: no), rpm's rpmspec
# parses the RPM spec.
TEST_DEPS += build-essential debhelper rpm
FUZZ_SECONDS ?= 10

.PHONY: all demo check check-boot check-configure check-deps-first deps test-deps build clean fuzz fuzz-build

all: build

# Install what is missing, and only that (apt-get update first, as apt needs).
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then echo "run as root, or install these packages: $$missing" >&2; exit 1; fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_DEPS))

test-deps: deps
	$(call apt_install,$(TEST_DEPS))

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@echo; echo "== vfiokit groups --root $(SAMPLE)   (the article's example machine)"
	LC_ALL=C.UTF-8 ./$(BUILD)/src/vfiokit groups --root $(SAMPLE)
	@echo; echo "== vfiokit check --root $(SAMPLE)"
	LC_ALL=C.UTF-8 ./$(BUILD)/src/vfiokit check --root $(SAMPLE)
	@echo; echo "== vfiokit bind --dry-run --root $(SAMPLE) group:13   (what binding the guest GPU would write)"
	LC_ALL=C.UTF-8 ./$(BUILD)/src/vfiokit bind --dry-run --root $(SAMPLE) group:13
	@echo; echo "== vfiokit bind --dry-run --root $(SAMPLE) 00:02.0   (the host's own GPU: refused)"
	LC_ALL=C.UTF-8 ./$(BUILD)/src/vfiokit bind --dry-run --root $(SAMPLE) 00:02.0; echo "exit status $$?"
	@echo; echo "== vfiokit setup --gpu 06:00.0 --root $(BUILD)/demo-host   (boot-time isolation as a diff: the sample"
	@echo "   host copied, with mkinitcpio.conf's default arrays and a systemd-boot entry added)"
	@rm -rf $(BUILD)/demo-host && cp -a $(SAMPLE) $(BUILD)/demo-host && \
		mkdir -p $(BUILD)/demo-host/boot/loader/entries && \
		printf 'MODULES=()\nBINARIES=()\nFILES=()\nHOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n' \
			>$(BUILD)/demo-host/etc/mkinitcpio.conf && \
		printf 'title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions root=LABEL=arch rw\n' \
			>$(BUILD)/demo-host/boot/loader/entries/arch.conf
	LC_ALL=C.UTF-8 ./$(BUILD)/src/vfiokit setup --gpu 06:00.0 --root $(BUILD)/demo-host
	@echo; echo "== vfiokit vm create win10 --gpu 06:00.0 --root $(SAMPLE)   (the guest, as libvirt XML)"
	LC_ALL=C.UTF-8 ./$(BUILD)/src/vfiokit vm create win10 --gpu 06:00.0 --root $(SAMPLE)
	@echo; echo "On a real host: ./$(BUILD)/src/vfiokit groups; ./$(BUILD)/src/vfiokit check; sudo ./$(BUILD)/src/vfiokit bind --dry-run group:N"

$(BUILD_SAN)/build.ninja:
	meson setup $(BUILD_SAN) -Dwerror=true -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

# `make demo` may have configured $(BUILD) before the test packages were
# there (tests=auto then turns the tests off): check requires them, so that
# a missing cmocka is an error here, never "No tests defined". Configuring
# needs only cmocka of the test packages; check installs the others while
# both builds compile (apt downloads and unpacks, the compilers use the CPU).
check-deps-first: deps
	$(call apt_install,libcmocka-dev)

check-configure: check-deps-first $(BUILD)/build.ninja $(BUILD_SAN)/build.ninja
	meson configure $(BUILD) -Dtests=enabled
	meson configure $(BUILD_SAN) -Dtests=enabled

# The reboot suite (e2e-boot: mmdebstrap, then one QEMU per family for
# minutes) starts in the background once the other end-to-end suites are
# done (beside them, TCG's QEMUs starve each other past their timeouts),
# and runs beside the sanitizer run (the unit suite and suite leaks with
# LeakSanitizer, then the rest of the golden suite without) and the
# fuzzers, which leave a core
# free; the sanitizer tests get three times their timeouts there (they
# catch hangs, not slowness). Its log is $(BUILD)/e2e-boot.out (printed at
# the end) and meson-logs/e2e-boot.json. Its disks (the root file system
# from the package registry with mmdebstrap at nice 10, then the systemd-boot
# disk in a chroot, then the GRUB disk and its one first boot) are made from
# the start of the tests, beside the plain suites; the suite waits for a
# disk still being made (a lock per family), and makes one that failed.
check: check-configure
	@rm -f $(BUILD)/.test-deps-rc; \
	($(MAKE) --no-print-directory test-deps >$(BUILD)/test-deps.log 2>&1; echo $$? >$(BUILD)/.test-deps-rc) &
	ninja -C $(BUILD)
	ninja -C $(BUILD_SAN)
	@echo "waiting for the test packages (make test-deps, in the background since the builds began)..."; \
	while [ ! -s $(BUILD)/.test-deps-rc ]; do sleep 2; done; cat $(BUILD)/test-deps.log; \
	test "$$(cat $(BUILD)/.test-deps-rc)" = 0 || { echo "make check: the test packages could not be installed (above)" >&2; exit 1; }
	@(c=$${VFIOKIT_E2E_BOOT_CACHE:-$(BUILD)/e2e-boot}; for f in sdboot grub; do \
		sh tests/e2e/boot-image.sh $$f "$$c" >>$(BUILD)/e2e-boot-images.out 2>&1 || \
		echo "the reboot suite's $$f disk could not be made now: the suite tries again" >>$(BUILD)/e2e-boot-images.out; \
	done) &
	meson test -C $(BUILD) --no-rebuild --print-errorlogs --no-suite e2e-boot; echo $$? > $(BUILD)/.check-rc
	@rm -f $(BUILD)/.boot-rc $(BUILD)/meson-logs/e2e-boot.json
	@(meson test -C $(BUILD) --no-rebuild --print-errorlogs --suite e2e-boot --logbase e2e-boot \
		>$(BUILD)/e2e-boot.out 2>&1; echo $$? >$(BUILD)/.boot-rc) &
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(BUILD_SAN) --print-errorlogs --timeout-multiplier 3 --suite unit --suite leaks; \
		echo $$? > $(BUILD_SAN)/.check-rc
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(BUILD_SAN) --no-rebuild --print-errorlogs --timeout-multiplier 3 --suite golden \
		--no-suite unit --no-suite leaks --logbase testlog-noleaks; echo $$? > $(BUILD_SAN)/.check-rc-noleaks
	$(MAKE) --no-print-directory fuzz; echo $$? > $(BUILD)/.fuzz-rc
	@echo "waiting for the reboot suite (e2e-boot)..."; while [ ! -s $(BUILD)/.boot-rc ]; do sleep 5; done
	@cat $(BUILD)/e2e-boot.out
	@python3 tests/summary.py $(BUILD)/meson-logs/testlog.json $(BUILD_SAN)/meson-logs/testlog.json \
		$(BUILD_SAN)/meson-logs/testlog-noleaks.json $(BUILD)/meson-logs/e2e-boot.json --extra fuzz=$$(cat $(BUILD)/.fuzz-rc)
	@test "$$(cat $(BUILD)/.check-rc)" = 0 && test "$$(cat $(BUILD_SAN)/.check-rc)" = 0 && \
		test "$$(cat $(BUILD_SAN)/.check-rc-noleaks)" = 0 && \
		test "$$(cat $(BUILD)/.fuzz-rc)" = 0 && test "$$(cat $(BUILD)/.boot-rc)" = 0

# Only the reboot suite (also part of check): a Debian 12 disk through its
# own bootloader, setup --apply, reboot, verify, undo, reboot.
check-boot: check-configure test-deps
	ninja -C $(BUILD)
	meson test -C $(BUILD) --print-errorlogs --suite e2e-boot

# libFuzzer with ASan+UBSan over the parsers, the configuration edits, vm
# edit and the host model, for a fixed time each (FUZZ_SECONDS), from the
# seeds and with the dictionaries in tests/fuzz. Corpora grow in $(BUILD)/fuzz.
# libxml2 linked (-Dlibxml2-dlopen=false's build of src/shared/libxml.c),
# and only into the harnesses that read XML, with the host model.
FUZZ_SRC = src/host/parse.c $(filter-out src/shared/libxml.c,$(wildcard src/shared/*.c))
FUZZ_SAN = address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -DVFIOKIT_LIBXML2_DLOPEN=0 -Isrc
FUZZ_CC = clang -g -O1 -fsanitize=fuzzer,$(FUZZ_SAN)
# The host model: every reader, through path.c; boot.c reads the files the
# bootloader and initramfs backends' table names (src/plan/boot), whose plan
# functions bring setup's planner and the text edits with them: host, shared
# and part of plan, never emit (docs/ARCHITECTURE.md, "Layers").
FUZZ_HOST_SRC = $(filter-out src/host/parse.c,$(wildcard src/host/*.c)) $(FUZZ_SRC) src/shared/libxml.c \
	$(wildcard src/plan/boot/*.c) src/plan/setup.c src/plan/isolation.c src/plan/confedit.c \
	src/plan/refuse.c src/plan/kparams.c src/plan/hugepages.c src/plan/override.c $(FUZZ_TMPL)
# setup's driver_override script and its initramfs hook: the templates as
# meson embeds them (src/meson.build), made by the build.
FUZZ_TMPL = $(BUILD)/src/tmpl-vfio-pci-override.c $(BUILD)/src/tmpl-initramfs-tools-hook.c
FUZZ_LIBS = $$(pkg-config --cflags --libs libpci json-c libxml-2.0)
# Seeds for the ROM parser: the option ROMs Debian ships (never copied here).
ROM_SEEDS = /usr/lib/ipxe/qemu /usr/share/seabios /usr/share/vgabios
# vm edit plans for the article's host with a CPU topology, memory and huge
# pages (as tests/vm.sh builds it), so that --pin and --hugepages plan too.
FUZZ_VM_HOST = $(BUILD)/fuzz/vm-host
# NAME MAX_LEN SEED_DIRS: one harness for FUZZ_SECONDS; its status in $(BUILD)/fuzz/NAME.rc.
define fuzz_run
	@mkdir -p $(BUILD)/fuzz/corpus-$(1); \
	$(BUILD)/fuzz/$(1) -max_total_time=$(FUZZ_SECONDS) -max_len=$(2) -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/ $$(test -f tests/fuzz/$(1).dict && echo -dict=tests/fuzz/$(1).dict) \
		$(BUILD)/fuzz/corpus-$(1) $(3) >$(BUILD)/fuzz/log-$(1) 2>&1; echo $$? >$(BUILD)/fuzz/$(1).rc; \
	echo "$(1):"; grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' $(BUILD)/fuzz/log-$(1)
endef
# Each source is compiled once (-fsanitize=fuzzer-no-link, under
# $(BUILD)/fuzz/obj, its header dependencies kept) and the harnesses are
# linked from those objects, two at a time: the ten harnesses share most of
# their sources (compiling each harness's whole list took 140 s of CPU).
FUZZ_OBJ = $(BUILD)/fuzz/obj
fuzz_objs = $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(1))
FUZZ_BINS = $(addprefix $(BUILD)/fuzz/fuzz-,parse rom firmware confedit iso vm-edit host doctor journal inventory \
	pci-ids)
$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -MMD -MP $(FUZZ_CFLAGS) -c $< -o $@
FUZZ_CFLAGS = $$(pkg-config --cflags libpci json-c libxml-2.0)
-include $(shell find $(FUZZ_OBJ) -name '*.d' 2>/dev/null)
$(BUILD)/fuzz/fuzz-parse: tests/fuzz/fuzz-parse.c $(call fuzz_objs,$(FUZZ_SRC))
	$(FUZZ_CC) $^ -o $@
$(BUILD)/fuzz/fuzz-rom: tests/fuzz/fuzz-rom.c $(call fuzz_objs,src/rom/rom.c $(FUZZ_SRC))
	$(FUZZ_CC) $^ -o $@
$(BUILD)/fuzz/fuzz-firmware: tests/fuzz/fuzz-firmware.c $(call fuzz_objs,src/host/firmware.c src/host/path.c $(FUZZ_SRC))
	$(FUZZ_CC) $^ $$(pkg-config --cflags --libs json-c) -o $@
$(BUILD)/fuzz/fuzz-confedit: tests/fuzz/fuzz-confedit.c $(call fuzz_objs,src/plan/confedit.c $(FUZZ_SRC))
	$(FUZZ_CC) $^ -o $@
$(BUILD)/fuzz/fuzz-iso: tests/fuzz/fuzz-iso.c $(call fuzz_objs,src/host/iso.c src/host/path.c $(FUZZ_SRC))
	$(FUZZ_CC) $^ -o $@
$(BUILD)/fuzz/fuzz-vm-edit: tests/fuzz/fuzz-vm-edit.c $(call fuzz_objs,$(FUZZ_HOST_SRC) src/plan/vm.c src/plan/bind.c \
		src/plan/pin.c src/emit/domain.c src/emit/cputune.c src/emit/memory.c src/emit/xml.c)
	$(FUZZ_CC) -DFUZZ_HOST='"$(abspath $(FUZZ_VM_HOST))"' $^ $(FUZZ_LIBS) -o $@
$(BUILD)/fuzz/fuzz-host: tests/fuzz/fuzz-host.c $(call fuzz_objs,$(FUZZ_HOST_SRC))
	$(FUZZ_CC) $^ $(FUZZ_LIBS) -o $@
$(BUILD)/fuzz/fuzz-doctor: tests/fuzz/fuzz-doctor.c $(call fuzz_objs,$(FUZZ_HOST_SRC) src/plan/doctor.c src/plan/vendor-reset.c)
	$(FUZZ_CC) $^ $(FUZZ_LIBS) -o $@
$(BUILD)/fuzz/fuzz-journal: tests/fuzz/fuzz-journal.c $(call fuzz_objs,src/apply/journal.c src/emit/diff.c src/host/path.c $(FUZZ_SRC))
	$(FUZZ_CC) $^ -o $@
$(BUILD)/fuzz/fuzz-inventory: tests/fuzz/fuzz-inventory.c $(call fuzz_objs,$(FUZZ_HOST_SRC) src/plan/inventory.c \
		src/emit/inventory.c src/emit/export.c)
	$(FUZZ_CC) $^ $(FUZZ_LIBS) -o $@
# names.c is included by its harness (its static functions are the ones tested).
$(BUILD)/fuzz/fuzz-pci-ids: tests/fuzz/fuzz-pci-ids.c src/host/names.c \
		$(call fuzz_objs,$(filter-out src/host/names.c,$(FUZZ_HOST_SRC)))
	$(FUZZ_CC) $(filter-out src/host/names.c,$^) $(FUZZ_LIBS) -o $@
fuzz-build: $(FUZZ_BINS)

# Each harness runs FUZZ_SECONDS, FUZZ_JOBS at a time (in make check they run
# after the sanitizer suites, when the reboot suite has mostly ended and a
# core is free); the exit status is the first failure's.
FUZZ_JOBS ?= 2
FUZZ_NAMES = parse rom firmware confedit iso vm-edit host doctor inventory journal pci-ids
fuzz-run-parse: ; $(call fuzz_run,fuzz-parse,4096,tests/fuzz/seeds)
fuzz-run-rom: ; $(call fuzz_run,fuzz-rom,262144,$(ROM_SEEDS))
fuzz-run-firmware: ; $(call fuzz_run,fuzz-firmware,8192,/usr/share/qemu/firmware)
fuzz-run-confedit: ; $(call fuzz_run,fuzz-confedit,4096,tests/fuzz/seeds-confedit)
fuzz-run-iso: ; $(call fuzz_run,fuzz-iso,65536,tests/fuzz/seeds-iso)
fuzz-run-vm-edit: ; $(call fuzz_run,fuzz-vm-edit,16384,tests/fuzz/seeds-vm-edit)
fuzz-run-host: ; $(call fuzz_run,fuzz-host,65536,tests/fuzz/seeds-host)
fuzz-run-doctor: ; $(call fuzz_run,fuzz-doctor,65536,tests/fixtures/logs)
fuzz-run-inventory: ; $(call fuzz_run,fuzz-inventory,65536,tests/fuzz/seeds-inventory)
fuzz-run-journal: ; $(call fuzz_run,fuzz-journal,65536,tests/fuzz/seeds-journal)
fuzz-run-pci-ids: ; $(call fuzz_run,fuzz-pci-ids,65536,tests/fuzz/seeds-pci-ids)
.PHONY: $(addprefix fuzz-run-,$(FUZZ_NAMES))
fuzz: $(BUILD)/build.ninja
	ninja -C $(BUILD) $(FUZZ_TMPL:$(BUILD)/%=%)
	$(MAKE) --no-print-directory -j2 fuzz-build
	@rm -rf $(FUZZ_VM_HOST) $(BUILD)/fuzz/cpu && cp -a $(SAMPLE) $(FUZZ_VM_HOST) && \
		python3 tests/fixtures/mkcpu.py tests/fixtures/cpus/article-i7-8700k.lscpu $(BUILD)/fuzz/cpu >/dev/null && \
		cp -a $(BUILD)/fuzz/cpu/sys/devices/system/cpu $(BUILD)/fuzz/cpu/sys/devices/system/node \
			$(FUZZ_VM_HOST)/sys/devices/system/ && \
		cp $(BUILD)/fuzz/cpu/proc/cpuinfo $(FUZZ_VM_HOST)/proc/cpuinfo && \
		cp tests/fixtures/cpus/meminfo-24g $(FUZZ_VM_HOST)/proc/meminfo && \
		mkdir -p $(FUZZ_VM_HOST)/sys/kernel/mm/hugepages/hugepages-2048kB && \
		echo 4096 >$(FUZZ_VM_HOST)/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages && \
		echo 4096 >$(FUZZ_VM_HOST)/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
	$(MAKE) --no-print-directory -j$(FUZZ_JOBS) $(addprefix fuzz-run-,$(FUZZ_NAMES))
	@for h in $(FUZZ_NAMES); do \
		rc=$$(cat $(BUILD)/fuzz/fuzz-$$h.rc); [ "$$rc" = 0 ] || { echo "fuzz-$$h failed ($$rc)"; exit $$rc; }; \
	done

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
