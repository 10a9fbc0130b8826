#!/usr/bin/env bash
# Installs this build into a temporary directory (meson install --destdir) and builds the
# tutorial's bridge, then examples/echo, out of tree against it with nothing but `pkg-config --cflags
# --libs legate`: the installed public headers, library and legate.pc must be enough. Also
# checks that the machinery's headers are not installed, and that legate-echo, its sample INI
# and its systemd unit are. Usage: test_out_of_tree.sh BUILD_DIR SOURCE_DIR
# shellcheck disable=SC2086  # $cflags and $libs are lists of flags
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/legate-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The build is already up to date (meson test built it); do not rebuild from inside a test.
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log" >&2; fail "meson install"; }

pc=$(find "$tmp/root" -name legate.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || fail "legate.pc not installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
[ -n "$prefix" ] || fail "no prefix= in $pc"
root="$tmp/root$prefix"
echo "installed under $root (prefix $prefix)"

# The public headers, at include/legate/<layer>/<name>.hpp (meson.build lists them); the
# machinery's headers stay in the tree.
[ -f "$root/include/legate/gateway/gateway.hpp" ] || fail "include/legate/gateway/gateway.hpp"
for internal in gateway/runtime.hpp gateway/sessions.hpp gateway/gateway_runtime.hpp; do
  [ ! -e "$root/include/legate/$internal" ] || fail "internal header $internal installed"
done
echo "public headers: $(cd "$root/include" && find legate -name '*.hpp' | sort | tr '\n' ' ')"

[ -x "$root/bin/legate-echo" ] || fail "bin/legate-echo not installed"
[ -f "$root/share/legate/echo.ini" ] || fail "share/legate/echo.ini not installed"
unit="$root/lib/systemd/system/legate-echo.service"
[ -f "$unit" ] || fail "lib/systemd/system/legate-echo.service not installed"
grep -q "^ExecStart=$prefix/bin/legate-echo --config " "$unit" || fail "ExecStart in $unit"
grep -q '^Type=notify$' "$unit" || fail "Type=notify in $unit"
[ -x "$root/bin/legate-irc" ] || fail "bin/legate-irc not installed"
[ -f "$root/share/legate/irc.ini" ] || fail "share/legate/irc.ini not installed"
grep -q "^ExecStart=$prefix/bin/legate-irc --config " "$root/lib/systemd/system/legate-irc.service" \
  || fail "lib/systemd/system/legate-irc.service not installed, or its ExecStart"
[ -f "$root/lib/sysusers.d/legate.conf" ] || fail "lib/sysusers.d/legate.conf not installed"
[ -n "$(find "$root" -name 'liblegate.so*')" ] || fail "liblegate.so not installed"

# legate.pc with its prefix moved to the temporary directory; the system's own .pc files
# (spdlog, libxml-2.0, …) are still found on the default search path.
mkdir "$tmp/pkgconfig"
sed "s|^prefix=.*|prefix=$root|" "$pc" >"$tmp/pkgconfig/legate.pc"
export PKG_CONFIG_PATH="$tmp/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
cflags=$(pkg-config --cflags legate) || fail "pkg-config --cflags legate"
libs=$(pkg-config --libs legate) || fail "pkg-config --libs legate"
echo "cflags: $cflags"
echo "libs:   $libs"
libdir=$(pkg-config --variable=libdir legate)

# Each installed header compiles alone with legate.pc's flags, as a bridge spells it: none
# relies on an earlier include or on a header that is not installed (the list is closed).
cd "$root/include/legate"
for header in */*.hpp; do
  printf '#include <legate/%s>\n' "$header" \
    | ${CXX:-c++} -std=c++20 -fsyntax-only -x c++ - $cflags >"$tmp/header.log" 2>&1 \
    || { cat "$tmp/header.log" >&2; fail "installed header $header does not compile alone"; }
done

# Out of tree, in an empty directory: the tutorial's whole bridge (docs/tutorial.md, the
# block after the hello-world marker), exactly as printed there.
mkdir "$tmp/bridge"
cd "$tmp/bridge"
awk '/<!-- hello-world:/ {armed = 1; next}
     armed && /^```cpp$/ {inside = 1; next}
     inside && /^```$/ {exit}
     inside {print}' "$source/docs/tutorial.md" >hello.cpp
[ -s hello.cpp ] || fail "no hello-world block in docs/tutorial.md"
echo "tutorial hello world: $(wc -l <hello.cpp) lines"
${CXX:-c++} -std=c++20 -Wall -Wextra -Werror -o legate-hello hello.cpp $cflags $libs \
  || fail "the tutorial's bridge does not build against the installed Legate"
grep -q "$source" <(${CXX:-c++} -std=c++20 -M hello.cpp $cflags) \
  && fail "the tutorial's bridge included headers from the source tree"

out=$(LD_LIBRARY_PATH="$libdir" ./legate-hello --version) || fail "legate-hello --version exited $?"
echo "legate-hello --version: $out"
[ "$out" = "legate-hello 1.0" ] || fail "legate-hello --version printed '$out'"
# Captured first: with pipefail, `ldd | grep -q` fails whenever grep exits before ldd has
# written everything (ldd then dies of SIGPIPE), which made this check flaky on CI.
linked=$(LD_LIBRARY_PATH="$libdir" ldd ./legate-hello) || fail "ldd ./legate-hello exited $?"
grep -q "liblegate.so.0 => $libdir/" <<<"$linked" \
  || { echo "$linked" >&2; fail "legate-hello is not linked to the installed liblegate.so.0"; }

# The reference bridge too, from a copy of its sources alone: what the public headers give a
# real bridge is enough.
mkdir "$tmp/echo"
cp "$source"/examples/echo/*.cpp "$source"/examples/echo/*.hpp "$tmp/echo/"
cd "$tmp/echo"
${CXX:-c++} -std=c++20 -Wall -Wextra -Werror -o legate-echo ./*.cpp $cflags $libs \
  || fail "examples/echo does not build against the installed Legate"
grep -q "$source" <(${CXX:-c++} -std=c++20 -M ./*.cpp $cflags) \
  && fail "examples/echo included headers from the source tree"
out=$(LD_LIBRARY_PATH="$libdir" ./legate-echo --version) || fail "out-of-tree legate-echo --version"
echo "out-of-tree legate-echo --version: $out"

out=$(LD_LIBRARY_PATH="$libdir" "$root/bin/legate-echo" --version) || fail "legate-echo --version"
echo "legate-echo --version: $out"
case "$out" in "legate-echo "*) ;; *) fail "legate-echo --version printed '$out'" ;; esac
echo "OK"
