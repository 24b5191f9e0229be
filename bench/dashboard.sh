#!/usr/bin/env bash
# Time per dashboard frame (issue 6): 531 tests and 300 failures, each screen at
# 120x40 and 80x24, 1000 frames each into ratatui's TestBackend; prints mean and p95
# microseconds per frame against the 2 ms target. Optimised build (cargo bench).
# Usage: bench/dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -q -p mediaflow --bench dashboard_frame
