# Tiny assertion helpers for the end-to-end suites. Each suite ends with check_done, which prints
# the plain closing line "N passed, N failed" and exits non-zero on any failure.
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*" >&2
}
# check NAME COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok; else fail "$name"; fi
}
check_done() {
    echo "e2e: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
