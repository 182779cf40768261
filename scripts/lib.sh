# Shared by scripts/run, scripts/test and scripts/bench: install what is missing, configure.
# Sourced, not run. Idempotent: when everything is installed and configured it costs well under
# a second (one dpkg-query call, no apt-get, no meson setup).

# Debian packages, by purpose.
LECTOR_BUILD_PACKAGES="gcc pkg-config meson ninja-build libunistring-dev libncurses-dev libicu-dev libxml2-dev libarchive-dev libcmark-dev zlib1g-dev libpcre2-dev libstemmer-dev"
# clang and its runtimes (libclang-rt-dev: not installed with clang without recommends) build
# the libFuzzer targets that scripts/fuzz and scripts/test run. man-db (man, lexgrog), groff-base
# and bash-completion: tests/e2e/test_doc.sh and test_install.sh check the man page and the
# completion.
LECTOR_TEST_PACKAGES="libcriterion-dev python3-jsonschema unicode-data bible-kjv fortunes-ru fortunes-zh ripgrep tmux util-linux clang libclang-rt-dev man-db groff-base bash-completion"
LECTOR_BENCH_PACKAGES="ripgrep sqlite3 coreutils less tmux time git libfribidi-bin"

lector_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# lector_ensure_packages PKG...: apt-get installs those not yet installed.
lector_ensure_packages() {
    local missing=() pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        case "$status" in *"ok installed"*) ;; *) missing+=("$pkg") ;; esac
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "lector: installing missing Debian packages: ${missing[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "lector: need root (or sudo) to install: ${missing[*]}" >&2
            return 1
        fi
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2
}

# lector_configure DIR [MESON_OPTION...]: meson setup DIR once; later runs reuse it (ninja
# re-runs meson by itself when a meson.build changes).
lector_configure() {
    local dir=$1
    shift
    if [ ! -f "$lector_root/$dir/build.ninja" ]; then
        meson setup "$lector_root/$dir" "$lector_root" "$@" >&2
    fi
}

# lector_configure_fuzz: build-fuzz, the one sanitizer build. The whole of it is clang with
# AddressSanitizer and UndefinedBehaviorSanitizer, the code instrumented for coverage
# (fuzzer-no-link) and the fuzz targets linked with libFuzzer (tests/fuzz/meson.build): scripts/test
# runs every suite in it, then scripts/fuzz fuzzes with the same binaries, one build for both.
lector_configure_fuzz() {
    CC=clang lector_configure build-fuzz -Dwerror=true -Dfuzz=true -Dbuildtype=debugoptimized \
        -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
        -Dbenchmarks=false
}
