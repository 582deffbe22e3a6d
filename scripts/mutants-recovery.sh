#!/usr/bin/env bash
# Mutation testing of recovery and durability (src/client/recovery.rs, journal.rs, durability.rs,
# recovery_flow.rs): the code that decides whether a payment counts as settled, what the journal
# keeps and which RequestID goes out. cargo-mutants changes the code one small way at a time and runs
# the tests meant to pin it down; a mutant they do not notice ("missed") is a decision no test
# asserts. Results and the reasoning behind every survivor: docs/mutation-testing.md.
#
# Not part of CI (./run-tests.sh does not call it): about 40 minutes on 2 cores. cargo-mutants works
# on a copy of the tree (uncommitted edits included), never in place.
#
#   scripts/mutants-recovery.sh                  every mutant of the four files
#   scripts/mutants-recovery.sh --re judge       only mutants whose name matches (options pass through)
#   MUTANTS_FILES="src/client/recovery.rs src/client/journal.rs" scripts/mutants-recovery.sh
#                                                only these files
#   MUTANTS_JOBS=2 / MUTANTS_TIMEOUT=120 / MUTANTS_OUT=/tmp/m   as in scripts/mutants.sh
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${MUTANTS_JOBS:-1}
timeout=${MUTANTS_TIMEOUT:-120}
out=${MUTANTS_OUT:-${CARGO_TARGET_DIR:-target}/mutants-recovery}

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "== installing cargo-mutants (cargo install --locked cargo-mutants)"
    cargo install --locked cargo-mutants
fi

# The unit tests of the judge, the journal and the counter; the money-rule suite (every recovery
# answer, the refusal of a new payment, automatic recovery, ids across terminals and restarts); the
# payment suite (lost connections, timeouts, recovery). The crash and torture suites drive the
# `pay` binary, which `cargo test --test …` does not build, so they are not in this loop.
test_args=(--lib --test recovery_money_rule --test client_payments)
mkdir -p "$out"
# Every scratch copy must build into its own target directory: with a CARGO_TARGET_DIR shared by
# parallel jobs, one job's tests can run binaries built from another job's (unmutated) tree.
if [[ $jobs -gt 1 ]]; then
    unset CARGO_TARGET_DIR
fi
echo "== cargo mutants on recovery and durability ($(cargo mutants --version), jobs $jobs, timeout ${timeout}s)"
start=$(date +%s)
status=0
files=${MUTANTS_FILES:-src/client/recovery.rs src/client/journal.rs src/client/durability.rs src/client/recovery_flow.rs}
file_args=()
for file in $files; do
    file_args+=(--file "$file")
done
cargo mutants "${file_args[@]}" \
    --jobs "$jobs" --timeout "$timeout" --output "$out" "$@" -- "${test_args[@]}" || status=$?
elapsed=$(($(date +%s) - start))
if [[ $status -ne 0 && $status -ne 2 && $status -ne 3 ]]; then
    echo "mutants-recovery: cargo mutants failed (exit $status) before scoring" >&2
    exit "$status"
fi
dir="$out/mutants.out"
count() { if [[ -f "$dir/$1.txt" ]]; then grep -c . "$dir/$1.txt" || true; else echo 0; fi; }
caught=$(count caught); missed=$(count missed); timeouts=$(count timeout); unviable=$(count unviable)
viable=$((caught + missed + timeouts))
echo "== score: caught $caught, missed $missed, timeouts $timeouts (of $viable viable); unviable $unviable; ${elapsed} s"
if [[ $missed -gt 0 ]]; then
    echo "== missed:"
    cat "$dir/missed.txt"
fi
