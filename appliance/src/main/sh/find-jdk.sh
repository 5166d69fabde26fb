# Sourced by ./porter and ./run-tests: porter_find_jdk prints the home of a JDK >= 21.
# Order: $JAVA_HOME if it is new enough, else the newest /usr/lib/jvm/* that is, else the java on PATH.

# The feature version ("21", "25", or "1" for 1.8) of the JDK at $1, empty if it has no working java.
porter_java_major() {
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    # the first "version" line: JAVA_TOOL_OPTIONS makes the JVM print "Picked up ..." before it
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
    for dir in /usr/lib/jvm/*/; do
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
        echo "porter: no JDK $min or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH); install one, e.g. Temurin $min+" >&2
        return 1
    fi
    echo "$best"
}
