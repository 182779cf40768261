#!/usr/bin/env bash
# The layering the build promises (src/core/meson.build): src/core and src/app never see curses.
# 1. Each curses header, included with the core's and the app's include path (no-curses/ first),
#    fails to compile with the guard's message, although the real header is on the compiler's
#    default path (checked too, or the guard would prove nothing).
# 2. No file of src/core or src/app includes one (a quick read of the sources, which names the
#    file when one does).
# Usage: test_layering.sh CC SOURCE_ROOT
set -u
cc=$1
src=$2
. "$(dirname "$0")/../e2e/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

headers="curses.h ncurses.h term.h ncursesw/curses.h ncursesw/ncurses.h ncursesw/term.h"
for h in $headers; do
    printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$tmp/probe.c"
    if "$cc" -fsyntax-only "$tmp/probe.c" 2>/dev/null; then
        real=1
    else
        real=0
    fi
    "$cc" -fsyntax-only -I"$src/src/core/no-curses" -I"$src/include" "$tmp/probe.c" \
        >"$tmp/out" 2>&1
    status=$?
    check "#include <$h> fails with the core's include path" test "$status" -ne 0
    check "#include <$h>: the guard says why" grep -q "is for src/tui only" "$tmp/out"
    # without the guard folder the same file compiles wherever the header is installed
    if [ "$h" = curses.h ]; then
        check "<curses.h> itself is on the default path (else the guard proves nothing)" \
            test "$real" -eq 1
    fi
done

# The guard folder is on both libraries' include path, first.
check "the core's meson.build puts no-curses first" \
    grep -q "include_directories : \[no_curses, inc\]" "$src/src/core/meson.build"
check "the app's meson.build puts no-curses first" \
    grep -q "include_directories : \[no_curses, inc" "$src/src/app/meson.build"

bad=$(grep -rlE '^\s*#\s*include\s*[<"](n?curses(w)?/)?(n?curses|term|termcap|panel|menu|form)\.h[>"]' \
    "$src/src/core" "$src/src/app" "$src/include" --include='*.c' --include='*.h' 2>/dev/null)
check "no core or app file includes curses${bad:+ (it does: $bad)}" test -z "$bad"

check_done
