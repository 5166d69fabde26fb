# Sourced by ./porter and ./run-tests: porter_find_jdk prints the home of a JDK >= 21.
# Order: $JAVA_HOME if it is new enough, else the newest JDK under $PORTER_JVM_DIR (default /usr/lib/jvm)
# that is, else the java on PATH.
# Fast: the version comes from the JDK's `release` file (JAVA_VERSION="21.0.5"), which every JDK and
# jlink runtime since 9 carries; only a JDK without one is asked with `java -version` (a JVM start each,
# ~0.1-0.4 s, which the launcher used to pay for every JDK it found, on every start).

# The feature version ("21", "25", or "1" for 1.8) of the JDK at $1, empty if it is no JDK (no java
# and javac) or its version cannot be told.
porter_java_major() {
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    local line version=""
    if [ -r "$1/release" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            case $line in
                JAVA_VERSION=*) version=${line#JAVA_VERSION=}; version=${version//\"/}; break ;;
            esac
        done <"$1/release"
    fi
    if [ -n "$version" ]; then
        version=${version%%[!0-9]*}   # "21.0.5" -> 21, "1.8.0_392" -> 1, "25" -> 25
        echo "$version"
        return 0
    fi
    # no release file: ask the JVM. The first "version" line: JAVA_TOOL_OPTIONS makes the JVM print
    # "Picked up ..." before it.
    "$1/bin/java" -version 2>&1 | sed -nE '/ version "/{s/.*version "([0-9]+)[^"]*".*/\1/p;q}'
}

porter_find_jdk() {
    local min=21 best="" best_major=0 dir major
    if [ -n "${JAVA_HOME:-}" ]; then
        major=$(porter_java_major "$JAVA_HOME")
        if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
            echo "$JAVA_HOME"
            return 0
        fi
    fi
    for dir in "${PORTER_JVM_DIR:-/usr/lib/jvm}"/*/; do
        dir=${dir%/}
        [ -L "$dir" ] && continue   # Debian's version-less aliases point at the same JDKs
        major=$(porter_java_major "$dir")
        if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
            best=$dir
            best_major=$major
        fi
    done
    if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
        dir=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        major=$(porter_java_major "$dir")
        if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
            best=$dir
        fi
    fi
    if [ -z "$best" ]; then
        echo "porter: no JDK $min or newer found (looked at JAVA_HOME, ${PORTER_JVM_DIR:-/usr/lib/jvm} and PATH); install one, e.g. Temurin $min+" >&2
        return 1
    fi
    echo "$best"
}
