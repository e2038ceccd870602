#!/usr/bin/env bash
# A long coverage-guided fuzz campaign (issue 14) over every @FuzzTest in tests/src/test/java/dev/gunyahdt/tests/fuzz,
# with Jazzer's libFuzzer command line (mvn verify only replays the seeds and fuzzes each target briefly).
#
#   tests/fuzz/campaign.sh [SECONDS_PER_TARGET] [Class#method …]      (default: 600 s, every target)
#   JOBS=2 tests/fuzz/campaign.sh 1800                                (targets two at a time)
#
# The corpus each target grows is kept in tests/.cifuzz-corpus/<Class>/<method>/ (not in git) and
# reused by the next run; a finding is written into the target's seed folder
# (src/test/resources/dev/gunyahdt/tests/fuzz/<Class>Inputs/<method>/crash-…), where `mvn verify`
# replays it: fix the cause, keep the file. (Killing a run can leave a crash- file of the input in
# flight: if mvn verify replays it cleanly it is no finding.) Prints executions and seconds per
# target and the total.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-600}
shift || true
jobs=${JOBS:-1}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(BlobFuzzTest#dtbReader BlobFuzzTest#dtbToDts BlobFuzzTest#inspectAndDiff BlobFuzzTest#overlayApply
           SourceFuzzTest#dtsSource SourceFuzzTest#yamlBinding SourceFuzzTest#bindingValidation SourceFuzzTest#vmsYaml
           RmFuzzTest#rpcFraming RmFuzzTest#rmRequests RmFuzzTest#vmConfig)
fi
logs=tests/target/fuzz-campaign
mkdir -p "$logs"
mvn -B -q -o -pl tests -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/$logs/classpath.txt" >/dev/null
# a copy of the project's class folders, so a rebuild during a long campaign changes nothing under it
rm -rf "$logs/classes" && mkdir -p "$logs/classes"
cp=""
n=0
for e in $(tr ':' ' ' <"$logs/classpath.txt") "$PWD/tests/target/test-classes" "$PWD/tests/target/classes"; do
  if [ -d "$e" ]; then
    n=$((n + 1)); cp -r "$e" "$logs/classes/$n"; e="$PWD/$logs/classes/$n"
  fi
  cp="$cp${cp:+:}$e"
done
res=$PWD/tests/src/test/resources/dev/gunyahdt/tests/fuzz

run_one() {
  local cls=${1%#*} method=${1#*#}
  local corpus=tests/.cifuzz-corpus/$cls/$method seeds=$res/${cls}Inputs/$method
  mkdir -p "$corpus" "$seeds"
  # -Xss16m as the gunyah-dt launcher runs; -timeout: an input over 10 s is a hang; findings land
  # among the seeds (artifact_prefix) so mvn verify replays them.
  ( cd tests && java -Xss16m -Xmx1g -cp "$cp" com.code_intelligence.jazzer.Jazzer \
      --target_class=dev.gunyahdt.tests.fuzz.$cls --target_method="$method" \
      --instrumentation_includes='dev.gunyahdt.**' --reproducer_path="$PWD/target/fuzz-campaign" \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$seeds/" \
      "$PWD/../$corpus" "$seeds" ) >"$logs/$cls-$method.log" 2>&1 || echo "$1: FINDING (see $logs/$cls-$method.log)"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

total=0
printf '%-32s %12s %8s %8s\n' target executions seconds exec/s
for t in "${targets[@]}"; do
  log="$logs/${t%#*}-${t#*#}.log"
  line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  runs=$(echo "$line" | awk '{print $2}'); s=$(echo "$line" | awk '{print $5}')
  if [ -z "$runs" ]; then
    runs=$( (grep -oE '^#[0-9]+' "$log" || true) | tail -1 | tr -d '#'); s=$secs; runs=${runs:-0}
  fi
  total=$((total + runs))
  printf '%-32s %12d %8d %8d\n' "$t" "$runs" "$s" $((runs / (s > 0 ? s : 1)))
  grep -hE '^== Java Exception|^==[0-9]+== ERROR|Timeout|deadly signal' "$log" | head -3 || true
done
echo "total executions: $total ($(nproc) cores, $(date -u +%FT%TZ))"
