#!/usr/bin/env bash
# The long campaign: every target for SECS seconds (default 600), JOBS at a time (default 2),
# logs in fuzz/logs/<target>.log, crashers in fuzz/artifacts/<target>/.
# Usage: fuzz/campaign.sh [target ...]   (env: SECS, JOBS, RSS_MB)
set -uo pipefail
cd "$(dirname "$0")"
SECS=${SECS:-600}
JOBS=${JOBS:-2}
RSS_MB=${RSS_MB:-512}
# ASan's 256 MB quarantine plus allocator caches climb to ~430 MB over millions of execs (no
# leak: LSan stays quiet and the library has no globals); a smaller quarantine keeps the 512 MB
# limit meaning "the library allocated too much" on multi-hour runs. -malloc_limit_mb (= the
# RSS limit) still catches any single oversized allocation.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(log_structured database directory log_raw checkpoint db_header names page)
[ -d corpus ] || ./seed.sh
RUSTC_BOOTSTRAP=1 cargo fuzz build >/dev/null || exit 1
BIN=target/x86_64-unknown-linux-gnu/release
declare -A MAXLEN=([db_header]=66000 [page]=32776 [database]=330000 [log_raw]=70000
  [log_structured]=70000 [checkpoint]=16384 [names]=8200 [directory]=400000)
mkdir -p logs
run() {
  local t=$1
  mkdir -p "artifacts/$t" "corpus/$t"
  RAYON_NUM_THREADS=1 "$BIN/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$SECS" -rss_limit_mb="$RSS_MB" -timeout=10 -max_len="${MAXLEN[$t]:-65536}" \
    -print_final_stats=1 >"logs/$t.log" 2>&1
  echo "$t: exit $? $(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)"
}
for t in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  run "$t" &
done
wait
