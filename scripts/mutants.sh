#!/usr/bin/env bash
# Mutation testing of the sans-IO session (src/session/): cargo-mutants changes the code one small
# way at a time (a `==` turned into `!=`, a condition forced to true, a function body emptied) and
# runs the tests that are meant to pin the session down. A mutant the tests do not notice ("missed")
# is a decision of the session no test asserts. Results and the reasoning behind every survivor
# that is left: docs/mutation-testing.md.
#
# Not part of CI (./run-tests.sh does not call it): one pass builds and tests every mutant, about an
# hour on 2 cores. cargo-mutants works on a copy of the tree, never in place.
#
#   scripts/mutants.sh                         every mutant of src/session/
#   scripts/mutants.sh --re handle_response    only mutants whose name matches (any cargo-mutants
#                                              option after the script's name is passed through)
#   MUTANTS_JOBS=2 scripts/mutants.sh          mutants built and tested in parallel (default 1)
#   MUTANTS_TIMEOUT=120 scripts/mutants.sh     seconds a mutant's tests may run (default 60, about
#                                              4x the unmutated run on a busy 2-core machine)
#   MUTANTS_OUT=/tmp/m scripts/mutants.sh      where mutants.out/ goes (default: the target dir)
#
# The copy is of the working tree, uncommitted edits included: to measure what is committed, run
# it in a clean checkout (`git worktree add /tmp/clean HEAD && /tmp/clean/scripts/mutants.sh`).
#
# Tests run against each mutant: the library's unit tests, the session's virtual-time suites
# (session_virtual_time, session_armed_abort, session_mutants), the fuzz properties replayed on
# stable (hardening_fuzz_replay: the session model checker over every seed and regression), and the
# loopback suites whose outcome hinges on the session's matching and abort rules (client_aborts,
# client_abort_lane, client_payments, client_payment_kinds, client_delivery_box,
# recovery_money_rule, hardening_hostile_peers, hardening_bounds). Together they take 10-15 s unmutated; the slow
# fault-injection suite (~90 s) is left out. Targets not in the tree are skipped, so the script
# also runs on older checkouts.
#
# Property tests run with a fixed seed (PROPTEST_RNG_SEED, default 1) and without failure
# persistence: every mutant then meets the same generated cases as the unmutated baseline, so a
# property that fails tells this mutant from the original code, not a luckier draw; and a failure
# found in one mutant is not written into the scratch tree, where proptest would replay it for
# every later mutant and count them all as caught.
#
# cargo runs the test binaries in name order, so a mutant that silences the session (no outcome
# ever) hangs the client_* suites before the session suites can fail it: it ends as a timeout,
# which counts as detected, not as caught.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-1}
export PROPTEST_DISABLE_FAILURE_PERSISTENCE=1

jobs=${MUTANTS_JOBS:-1}
timeout=${MUTANTS_TIMEOUT:-60}
out=${MUTANTS_OUT:-${CARGO_TARGET_DIR:-target}/mutants}

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "== installing cargo-mutants (cargo install --locked cargo-mutants)"
    cargo install --locked cargo-mutants
fi

test_args=(--lib)
for target in session_virtual_time session_armed_abort session_mutants hardening_fuzz_replay \
    client_aborts client_abort_lane client_payments client_payment_kinds client_delivery_box \
    recovery_money_rule hardening_hostile_peers hardening_bounds; do
    if [[ -f "tests/$target.rs" ]]; then
        test_args+=(--test "$target")
    fi
done

mkdir -p "$out"
# Every scratch copy must build into its own target directory: with a CARGO_TARGET_DIR shared by
# parallel jobs, one job's tests can run binaries built from another job's (unmutated) tree.
if [[ $jobs -gt 1 ]]; then
    unset CARGO_TARGET_DIR
fi
echo "== cargo mutants on src/session/ ($(cargo mutants --version), jobs $jobs, timeout ${timeout}s, proptest seed $PROPTEST_RNG_SEED)"
echo "   tests: ${test_args[*]}"
start=$(date +%s)
status=0
# Exit status 2 (missed mutants) and 3 (timeouts) still leave a complete report; anything else
# (a baseline failure, a usage error) means there is no score to print.
cargo mutants --file 'src/session/*.rs' --jobs "$jobs" --timeout "$timeout" \
    --output "$out" "$@" -- "${test_args[@]}" || status=$?
elapsed=$(($(date +%s) - start))
if [[ $status -ne 0 && $status -ne 2 && $status -ne 3 ]]; then
    echo "cargo mutants failed (exit status $status); see $out/mutants.out/debug.log" >&2
    exit "$status"
fi

count() {
    local file="$out/mutants.out/$1.txt"
    if [[ -f "$file" ]]; then grep -c . "$file" || true; else echo 0; fi
}
caught=$(count caught)
missed=$(count missed)
timeouts=$(count timeout)
unviable=$(count unviable)
viable=$((caught + missed + timeouts))
echo
echo "== mutation score of src/session/"
echo "caught $caught, missed $missed, timeouts $timeouts, unviable $unviable"
if [[ $viable -gt 0 ]]; then
    echo "score: $caught of $viable viable mutants caught ($((100 * caught / viable))%)"
fi
echo "run time: $((elapsed / 60)) min $((elapsed % 60)) s; details in $out/mutants.out/"
if [[ $missed -gt 0 ]]; then
    echo "missed:"
    sed 's/^/  /' "$out/mutants.out/missed.txt"
fi
if [[ $timeouts -gt 0 ]]; then
    echo "timeouts:"
    sed 's/^/  /' "$out/mutants.out/timeout.txt"
fi
exit "$status"
