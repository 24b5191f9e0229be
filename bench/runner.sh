#!/usr/bin/env bash
# Runner overhead and latency (issue "Runner and scoring"), printed as numbers:
#  1. `mediaflow test --category unit --fresh` vs raw `cargo nextest run` of the same
#     binary on the same warm workspace, alternated, N rounds: medians and the ratio;
#  2. `mediaflow score` on an unchanged (cached) tree;
#  3. edit → verdict: one line changed in one service, `mediaflow test --category unit`.
# Usage: bench/runner.sh [ROUNDS]   (builds the mediaflow binary; workspace under target/)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
cargo build -q -p mediaflow
bin="$PWD/target/debug/mediaflow"
ws="$PWD/target/bench-runner/workspace"
"$bin" init --force --bugs K1,G2 "$ws" >/dev/null
cd "$ws"
unset CARGO_TARGET_DIR
echo "warming up (first build of the workspace)…"
"$bin" test --category unit >/dev/null 2>&1 || true
cargo nextest run -p mediaflow-tests --test unit >/dev/null 2>&1 || true

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
raw=(); ours=()
for _ in $(seq "$rounds"); do
  t0=$(now); cargo nextest run -p mediaflow-tests --test unit --no-fail-fast >/dev/null 2>&1 || true; t1=$(now)
  "$bin" test --category unit --fresh >/dev/null 2>&1 || true; t2=$(now)
  raw+=("$(echo "$t1 - $t0" | bc -l)"); ours+=("$(echo "$t2 - $t1" | bc -l)")
done
raw_m=$(printf '%s\n' "${raw[@]}" | median)
ours_m=$(printf '%s\n' "${ours[@]}" | median)
printf 'unit category, %s rounds: raw nextest median %.3f s, mediaflow test median %.3f s, ratio %.3f (target <= 1.05)\n' \
  "$rounds" "$raw_m" "$ours_m" "$(echo "$ours_m / $raw_m" | bc -l)"

"$bin" score >/dev/null 2>&1 || true
cached=()
for _ in $(seq "$rounds"); do
  t0=$(now); "$bin" score >/dev/null 2>&1 || true; t1=$(now)
  cached+=("$(echo "$t1 - $t0" | bc -l)")
done
printf 'score on an unchanged tree (cached), median of %s: %.3f s (target <= 0.2 s)\n' \
  "$rounds" "$(printf '%s\n' "${cached[@]}" | median)"

file=platform/services/billing/src/domain/refund.rs
edits=()
for i in $(seq 3); do
  printf '\n// bench edit %s\n' "$i" >> "$file"
  t0=$(now); "$bin" test --category unit >/dev/null 2>&1 || true; t1=$(now)
  edits+=("$(echo "$t1 - $t0" | bc -l)")
done
git checkout -q -- "$file"
printf 'edit one line in billing -> unit verdict, median of 3: %.3f s\n' \
  "$(printf '%s\n' "${edits[@]}" | median)"
