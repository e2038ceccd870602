#!/usr/bin/env bash
# dtc 1.6.1's own test sources as a differential oracle (issue 10, acceptance 2).
#
# Every tests/*.dts of dtc 1.6.1's source tree (135 files) is compiled by /usr/bin/dtc and by
# gunyah-dt (in one JVM: DtcTestSuiteTest in dtc-grammar) to a blob plain and with -@, and to
# -O dts plain and with -@: the same verdict and byte-identical output each time.
#
# The sources are GPL and never committed here. They are read from, in this order:
#   1. $DTC_TESTS, a folder holding them (e.g. tests/ of a dgibson/dtc checkout at v1.6.1);
#   2. Debian's source package device-tree-compiler 1.6.1-4 (apt-get source --download-only
#      with a private deb-src list, so the machine's apt configuration is left alone; apt checks
#      the files against the signed Sources index), unpacked into $DTC_TESTS_CACHE.
# When neither works (no deb-src mirror reachable) the run is skipped with exit 0 and says so;
# DTC_TESTS_REQUIRED=1 makes that an error.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${DTC_TESTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gunyah-dt/dtc-1.6.1}"
version=1.6.1-4

skip() {
  echo "dtc-testsuite: SKIPPED: $*" >&2
  [ "${DTC_TESTS_REQUIRED:-0}" = 1 ] && exit 1
  exit 0
}

[ -x /usr/bin/dtc ] || skip "/usr/bin/dtc is not installed (apt-get install device-tree-compiler)"
[ "$(dtc --version)" = "Version: DTC 1.6.1" ] || skip "/usr/bin/dtc is not 1.6.1: $(dtc --version)"

tests="${DTC_TESTS:-}"
if [ -z "$tests" ]; then
  tests="$cache/tests"
  if [ ! -f "$tests/base01.dts" ]; then
    apt_dir="$cache/apt"
    rm -rf "$apt_dir" && mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/src"
    cat > "$apt_dir/parts/deb-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir/parts"
              -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o APT::Sandbox::User=root)
    echo "dtc-testsuite: fetching Debian's source package device-tree-compiler $version" >&2
    if ! apt-get "${apt_opts[@]}" -qq update >&2 \
       || ! (cd "$apt_dir/src" && apt-get "${apt_opts[@]}" -qq source --download-only "device-tree-compiler=$version") >&2; then
      skip "could not fetch the device-tree-compiler $version source package (no deb-src mirror reachable); set DTC_TESTS=DIR to a copy of dtc 1.6.1's tests/"
    fi
    orig=$(ls "$apt_dir"/src/device-tree-compiler_1.6.1.orig.tar.* 2>/dev/null | head -1)
    [ -n "$orig" ] || skip "the source package has no orig tarball"
    mkdir -p "$cache/unpacked" && tar xf "$orig" -C "$cache/unpacked" --strip-components=1
    rm -rf "$tests" && cp -r "$cache/unpacked/tests" "$tests"
  fi
fi
[ -f "$tests/base01.dts" ] || skip "$tests does not hold dtc's test sources"

echo "dtc-testsuite: $(ls "$tests"/*.dts | wc -l) sources from $tests" >&2
cd "$root"
mvn -B -q -pl dtc-grammar test -Dtest=DtcTestSuiteTest -Dsurefire.failIfNoSpecifiedTests=false -Ddtc.tests="$tests"
