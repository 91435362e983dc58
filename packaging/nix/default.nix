# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit from this source tree: nix-build -E 'with import <nixpkgs> {}; callPackage ./packaging/nix {}'
{ lib, stdenv, meson, ninja, pkg-config, scdoc, python3
, pciutils, util-linux, libxml2, libvirt, json-c, cmocka }:

stdenv.mkDerivation {
  pname = "vfiokit";
  version = "0.1.0";

  # The tree without .git and meson's build directories (build, build-*).
  src = lib.cleanSourceWith {
    src = lib.cleanSource ../..;
    filter = path: type: !(type == "directory" && lib.hasPrefix "build" (baseNameOf path));
  };

  nativeBuildInputs = [ meson ninja pkg-config scdoc python3 ];
  buildInputs = [ pciutils util-linux libxml2 libvirt json-c cmocka ];

  # libvirt and libxml2 linked, not loaded by name when first used: a
  # dlopen of libvirt.so.0 or libxml2.so.2 finds no library in the store
  # without a path to it.
  mesonFlags = [ "-Dlibvirt-dlopen=false" "-Dlibxml2-dlopen=false" "-Dtests=enabled" ];

  # The unit suite only: the golden suite needs the test tools of the
  # Makefile's TEST_DEPS and fetches Debian packages; the e2e suites boot
  # QEMU guests. `make check` runs them all.
  doCheck = true;
  checkPhase = ''
    runHook preCheck
    meson test --no-rebuild --print-errorlogs --suite unit
    runHook postCheck
  '';

  # What meson installs (tests/packages.sh compares this list with it).
  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    for f in \
      bin/vfiokit \
      share/man/man1/vfiokit.1.gz \
      share/man/man1/vfiokit-bind.1.gz \
      share/man/man1/vfiokit-check.1.gz \
      share/man/man1/vfiokit-doctor.1.gz \
      share/man/man1/vfiokit-export.1.gz \
      share/man/man1/vfiokit-groups.1.gz \
      share/man/man1/vfiokit-handover.1.gz \
      share/man/man1/vfiokit-inventory.1.gz \
      share/man/man1/vfiokit-journal.1.gz \
      share/man/man1/vfiokit-next.1.gz \
      share/man/man1/vfiokit-report.1.gz \
      share/man/man1/vfiokit-rom.1.gz \
      share/man/man1/vfiokit-setup.1.gz \
      share/man/man1/vfiokit-snapshot.1.gz \
      share/man/man1/vfiokit-tune.1.gz \
      share/man/man1/vfiokit-unbind.1.gz \
      share/man/man1/vfiokit-undo.1.gz \
      share/man/man1/vfiokit-verify.1.gz \
      share/man/man1/vfiokit-vm.1.gz \
      share/bash-completion/completions/vfiokit \
      share/zsh/site-functions/_vfiokit \
      share/fish/vendor_completions.d/vfiokit.fish; do
      test -f "$out/$f" || { echo "missing: $out/$f"; exit 1; }
    done
    $out/bin/vfiokit --version | grep -F "$version"
    runHook postInstallCheck
  '';

  meta = {
    description = "PCI passthrough via OVMF, as a tool: checks, IOMMU groups, GPU isolation, guests";
    license = lib.licenses.gpl2Plus;
    platforms = lib.platforms.linux;
    mainProgram = "vfiokit";
  };
}
