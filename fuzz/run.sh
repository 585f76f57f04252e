#!/usr/bin/env bash
# Runs fuzz targets one after the other, each for SECONDS (default 60),
# with one libFuzzer job (the machine is shared), and prints each run's
# final statistics (executions, corpus size). Any crash stops the script
# with the artifact's path.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      # default: every target
#
# The soak (before a release, or after a change to the parser, the binder
# or the server; the last one's figures are in fuzz/README.md):
#
#   fuzz/run.sh 180                        # every target, 3 minutes each
#   fuzz/run.sh 3600 shapes semantic       # a long one for the analysis
#
# Works on stable Rust: cargo-fuzz's nightly flags are accepted with
# RUSTC_BOOTSTRAP=1. No sanitizer (the code is safe Rust; ASan halves the
# speed), debug assertions and overflow checks on. Needs `cargo install
# cargo-fuzz`. The corpora (fuzz/corpus/, git-ignored) are seeded by
# fuzz/seed.py on first use and grow from run to run.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lex parse semantic rule_yaml lsp shapes)
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/kqlint-target-fuzzbuild}
cargo fuzz build -O -a -s none
bin=$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release
for t in "${targets[@]}"; do
    [ -d "corpus/$t" ] || ./seed.py "$t"
    mkdir -p "artifacts/$t" artifacts/logs
    extra=()
    # the server logs every bad message it is sent
    [ "$t" = lsp ] && extra=(-close_fd_mask=2)
    echo "==> $t for ${secs}s"
    status=0
    "$bin/$t" "corpus/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="artifacts/$t/" -print_final_stats=1 "${extra[@]}" \
        >"artifacts/logs/$t.log" 2>&1 || status=$?
    grep -a -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "artifacts/logs/$t.log" || true
    # coverage: the last status line's `cov:` (edges) and `ft:` (features)
    grep -a -E "#[0-9]+.*cov: " "artifacts/logs/$t.log" | tail -1 || true
    echo "corpus: $(find "corpus/$t" -type f | wc -l) files"
    if [ "$status" -ne 0 ]; then
        grep -a -E "panicked|ERROR|Test unit written" "artifacts/logs/$t.log" | head -5
        echo "$t: crashed (status $status); see fuzz/artifacts/logs/$t.log" >&2
        exit 1
    fi
done
