#!/usr/bin/env bash
# CI fuzz smoke: seed the corpora from testdata/, then run every target for SECS seconds
# (default 20), one after the other. Fails on the first crash, hang (>10 s) or OOM (>512 MB).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); stable Rust works through RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
SECS=${SECS:-20}
export RUSTC_BOOTSTRAP=1 RAYON_NUM_THREADS=1
# ASan's default 256 MB quarantine plus libFuzzer's in-memory corpus (the directory corpus holds
# ~1000 multi-file inputs) pass 512 MB on their own; the library's live heap stays a few MB.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
./seed.sh >/dev/null
cargo fuzz build
# The shaping helpers' own unit tests (fuzz/src/lib.rs): cargo fuzz build never compiles them.
cargo test --lib --quiet
declare -A MAXLEN=([db_header]=66000 [page]=32776 [database]=330000 [log_raw]=70000
  [log_structured]=70000 [checkpoint]=16384 [names]=8200 [directory]=400000
  [catalog]=200000)
for t in $(cargo fuzz list); do
  echo "fuzz smoke: $t (${SECS}s)"
  mkdir -p smoke-logs
  rc=0
  cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$SECS" -rss_limit_mb=512 -timeout=10 \
    -max_len="${MAXLEN[$t]:-65536}" -print_final_stats=1 >"smoke-logs/$t.log" 2>&1 || rc=$?
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "smoke-logs/$t.log" || true
  if [ "$rc" -ne 0 ]; then
    echo "fuzz smoke: $t failed (exit $rc); crasher in fuzz/artifacts/$t/:"
    tail -n 40 "smoke-logs/$t.log"
    exit 1
  fi
done
echo "fuzz smoke: all targets clean"
