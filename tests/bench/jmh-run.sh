# Shared by the benchmark scripts (sourced, not run): builds the JMH benchmarks of this checkout
# (-Pbenchmarks, tests/README.md) and runs JMH with results as JSON.
#   jmh_run OUT.json JMH-ARGS…   (benchmark regexps and options, as org.openjdk.jmh.Main takes them)
# Sets $here (the checkout) and $work (tests/target/bench). MVN_OFFLINE=-o skips the network.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$here/tests/target/bench"
mkdir -p "$work"

jmh_run() {
  local out="$1"; shift
  echo "building (mvn -Pbenchmarks -pl tests -am test-compile)..." >&2
  (cd "$here" && mvn -q -B ${MVN_OFFLINE:-} -Pbenchmarks -pl tests -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt") >&2
  java -cp "$here/tests/target/test-classes:$(cat "$work/classpath.txt")" org.openjdk.jmh.Main "$@" \
      -rf json -rff "$out" >&2
}
