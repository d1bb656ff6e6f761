#!/usr/bin/env bash
# Coverage-guided fuzzing of DynaKV's untrusted-input parsers with Jazzer, for a bounded time.
# Usage: fuzz/run.sh [--target NAME] [--minutes M]     (fuzz/README.md; --list names the targets)
# Without --target every target runs, one after the other, M minutes each (default 2). A crashing
# input is saved by Jazzer in the fuzz test's inputs directory under src/test/resources, which
# `mvn verify` replays: commit it with the fix. The growing corpus stays in <module>/.cifuzz-corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

# name  module  test class  test method
TARGETS="
frame-reader     dynakv-transport io.dynakv.transport.FrameReaderFuzzTest chunkedStreamYieldsTheFramesOfAWholeStreamParse
hello            dynakv-transport io.dynakv.transport.HandshakeFuzzTest   helloParsesToWhatItSaysOrIsRefused
challenge        dynakv-transport io.dynakv.transport.HandshakeFuzzTest   forgedChallengeIsRefused
message-codec    dynakv-node      io.dynakv.node.cluster.MessageCodecFuzzTest payloadDecodesToWhatItEncodesOrIsMalformed
http-path        dynakv-node      io.dynakv.api.ValueBodiesFuzzTest       pathRoutesOrIsAClientError
put-body         dynakv-node      io.dynakv.api.ValueBodiesFuzzTest       putBodyYieldsAStorableValueOrIsAClientError
merge-patch      dynakv-node      io.dynakv.api.ValueBodiesFuzzTest       mergePatchIsIdempotentAndStorable
http-api         dynakv-node      io.dynakv.api.HttpApiFuzzTest           everyRequestGetsAWellFormedAnswerBelow500
"

target="" minutes=2
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --minutes) minutes="$2"; shift 2 ;;
    --list) echo "$TARGETS" | awk 'NF {print $1}'; exit 0 ;;
    *) echo "usage: fuzz/run.sh [--target NAME] [--minutes M] | --list" >&2; exit 2 ;;
  esac
done
case "$minutes" in ''|*[!0-9]*) echo "--minutes takes a whole number" >&2; exit 2 ;; esac
if [ -n "$target" ] && ! echo "$TARGETS" | awk '{print $1}' | grep -qx "$target"; then
  echo "unknown target '$target'; one of:" >&2; echo "$TARGETS" | awk 'NF {print "  " $1}' >&2; exit 2
fi

mkdir -p target/fuzz
failed=0
while read -r name module class method; do
  [ -n "$name" ] || continue
  [ -z "$target" ] || [ "$name" = "$target" ] || continue
  # Jazzer writes findings into this directory only if it exists in the source tree.
  inputs="$module/src/test/resources/$(dirname "${class//.//}")/${class##*.}Inputs/$method"
  mkdir -p "$inputs"
  log="target/fuzz/$name.log"
  echo "== $name: fuzzing ${class##*.}#$method for $minutes min (log: $log)"
  # Instrument all of DynaKV and Jackson (so the JSON targets learn what parses), not only the
  # test's own module. JUnit's timeout would cut the run; libFuzzer's per-input timeout (the
  # test's @Timeout) catches hangs instead. Inputs may be long from the start (len_control=0):
  # structured targets need many bytes to build one request.
  if JAZZER_FUZZ=1 mvn -B -pl "$module" -am verify -DskipITs \
      -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dspotless.check.skip -Dspotbugs.skip -Dforbiddenapis.skip \
      -Djunit.jupiter.execution.timeout.mode=disabled \
      -Djazzer.instrument='io.dynakv.**,com.fasterxml.jackson.**' \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$((minutes * 60))" -Djazzer.internal.arg.2=-len_control=0 \
      >"$log" 2>&1; then
    result="no finding"
  else
    result="FINDING or build failure (see $log)"; failed=1
  fi
  stats=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  echo "   $result; last libFuzzer status: ${stats:-none}"
  git status --porcelain --untracked-files=all -- "$inputs" | sed 's/^/   new input: /'
done <<< "$TARGETS"
exit $failed
