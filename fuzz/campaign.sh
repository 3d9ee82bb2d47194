#!/usr/bin/env bash
# The long campaign: every target for SECS seconds (default 600), JOBS at a time (default 2),
# logs in fuzz/logs/<target>.log, crashers in fuzz/artifacts/<target>/.
# Usage: fuzz/campaign.sh [target ...]   (env: SECS, JOBS, RSS_MB)
set -uo pipefail
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")"
maxlen() {
  case $1 in
    db_header) echo 66000 ;; page) echo 32776 ;; database) echo 330000 ;; log_raw | log_structured) echo 70000 ;;
    checkpoint) echo 16384 ;; names) echo 8200 ;; catalog) echo 200000 ;; directory) echo 400000 ;; *) echo 65536 ;;
  esac
}
SECS=${SECS:-600}
JOBS=${JOBS:-2}
RSS_MB=${RSS_MB:-512}
# ASan's 256 MB quarantine plus allocator caches climb to ~430 MB over millions of execs (no
# leak: LSan stays quiet and the library has no globals); a smaller quarantine keeps the 512 MB
# limit meaning "the library allocated too much" on multi-hour runs. -malloc_limit_mb (= the
# RSS limit) still catches any single oversized allocation.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(log_structured database directory log_raw checkpoint db_header names page catalog)
if [ "${TARGETS[0]}" = "--one" ]; then
  BIN=target/x86_64-unknown-linux-gnu/release
  t=${TARGETS[1]}
  mkdir -p logs "artifacts/$t" "corpus/$t"
  RAYON_NUM_THREADS=1 "$BIN/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$SECS" -rss_limit_mb="$RSS_MB" -timeout=10 -max_len="$(maxlen "$t")" \
    -print_final_stats=1 >"logs/$t.log" 2>&1
  echo "$t: exit $? $(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)"
  exit 0
fi
[ -d corpus ] || ./seed.sh
RUSTC_BOOTSTRAP=1 cargo fuzz build >/dev/null || exit 1
# One process per target, at most JOBS at a time.
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} "$SELF" --one {}
