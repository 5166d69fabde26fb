#!/usr/bin/env bash
# runtime.sh JAVA_HOME OUT_DIR MAIN_JAR LIB_JAR... - a jlink runtime for Porter made from the build JDK: the
# modules jdeps finds in the jars, plus a few a mail server needs that no static analysis sees.
set -euo pipefail

JDK=${1:?usage: runtime.sh JAVA_HOME OUT_DIR JAR...}
OUT=${2:?usage: runtime.sh JAVA_HOME OUT_DIR JAR...}
MAIN=${3:?usage: runtime.sh JAVA_HOME OUT_DIR MAIN_JAR LIB_JAR...}
shift 3

# From the main jar, following what it uses through the libraries (--recursive): jars given one by
# one fail on modular jars whose required modules are other jars. --multi-release: the versioned
# classes for the runtime's release; --ignore-missing-deps: optional dependencies of the libraries
# (e.g. Netty's) that Porter does not ship.
release=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
modules=$("$JDK/bin/jdeps" -q --multi-release "$release" --ignore-missing-deps --print-module-deps \
            --recursive --class-path "$(IFS=:; echo "$*")" "$MAIN")
# jdk.charsets: mail arrives in every charset (ISO-2022-JP, KOI8-R, ...), not only java.base's few.
# jdk.crypto.ec: EC keys for TLS on JDKs before 22 (an empty module after).
# (Not jdk.localedata: +30 MB for dates in other languages; Porter speaks English.)
extra=jdk.charsets
[ "${release%%.*}" -ge 22 ] || extra+=,jdk.crypto.ec
echo "runtime.sh: modules $modules,$extra" >&2
# --compress=zip-0: the modules file stored, not deflated (62 MB instead of 28 on the disk), so that xz
# compresses it with the rest of the image: 12.4 MB in the published porter.img.xz instead of 26.7
# (deflated bytes do not compress again); nor does the JVM inflate classes at start on a slow CPU.
rm -rf "$OUT"
# No class-data archive of the JDK's own (--generate-cds-archive, lib/server/classes*.jsa: 13.7 MB, 2.7 MB
# of the published xz): Porter starts from its AOT cache (the image's, made by build-image.sh; an update's,
# made by build-update.sh), which holds the JDK's classes too. Should a cache not match, the JVM says so
# and starts without one: on the build machine that start took 6.8-8.0 s without the JDK's archive and
# 6.0-8.8 s with it (serve to "Porter ready", load 5.5), against 3.9-4.2 s from the AOT cache.
"$JDK/bin/jlink" --add-modules "$modules,$extra" --output "$OUT" \
    --strip-debug --no-man-pages --no-header-files --compress=zip-0
