#!/usr/bin/env bash
# The differential fuzzer's long run (issue 10, acceptance 3), by hand:
#   tests/conformance/dtc-fuzz.sh [CASES [FIRST_SEED]]      (default 1000000 cases from seed 1)
# Generated sources (DtsGenerator: labels, references, merges, deletions, /bits/, expressions,
# character and string escapes, /incbin/, plugins with root blocks and fragments in any order)
# are compiled by /usr/bin/dtc and gunyah-dt, each in one of four modes (blob or -O dts, plain
# or -@) chosen by its seed; verdict and bytes must agree, or differ only as the README's
# "Known differences" say. Progress lines give the counts and the rate; differences are saved
# (source and both outcomes) under dtc-grammar/target/fuzz-differences/.
# Saved differences are replayed (classified by the current code) with
#   FUZZ_SEEDS=s1,s2,… tests/conformance/dtc-fuzz.sh
# A source is reproduced with:
#   java -cp dtc-grammar/target/test-classes dev.gunyahdt.dt.compile.DtsGenerator SEED
# Env: FUZZ_THREADS (default: cores), FUZZ_MINUTES (stop after that long), FUZZ_TMP (scratch,
# default /dev/shm), MVN_FLAGS (e.g. -o). dtc runs through a fork server (dtc-forkserver.c, preloaded into the
# unmodified dtc) when a C compiler is there, which halves its cost per case.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cases="${1:-1000000}"
seed="${2:-1}"
[ -x /usr/bin/dtc ] || { echo "dtc-fuzz: /usr/bin/dtc is not installed" >&2; exit 2; }
[ -n "${FUZZ_SEEDS:-}" ] && cases=seeds
props=(-Dfuzz.cases="$cases" -Dfuzz.seed="$seed" -Dfuzz.seeds="${FUZZ_SEEDS:-}" -Dfuzz.tmp="${FUZZ_TMP:-/dev/shm}"
       -Dfuzz.save="$root/dtc-grammar/target/fuzz-differences")
[ -n "${FUZZ_THREADS:-}" ] && props+=(-Dfuzz.threads="$FUZZ_THREADS")
[ -n "${FUZZ_MINUTES:-}" ] && props+=(-Dfuzz.minutes="$FUZZ_MINUTES")
mkdir -p "$root/dtc-grammar/target"
so="$root/dtc-grammar/target/dtc-forkserver.so"
if command -v cc >/dev/null && cc -O2 -shared -fPIC -o "$so" "$here/dtc-forkserver.c" -ldl 2>/dev/null; then
  props+=(-Dfuzz.forkserver="$so")
else
  echo "dtc-fuzz: no C compiler: dtc runs as a fresh process per case (slower)" >&2
fi
cd "$root"
exec mvn -B -q ${MVN_FLAGS:-} -pl dtc-grammar test -Dtest=DtcFuzzLongRun -Dsurefire.failIfNoSpecifiedTests=false "${props[@]}"
