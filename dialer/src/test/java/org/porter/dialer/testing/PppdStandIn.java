package org.porter.dialer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A stand-in for pppd (which needs kernel PPP, absent on build machines): a shell script that records
 * its arguments (argv[1..]), a copy of its options file and that file's mode, then behaves as told:
 * <ul>
 * <li>{@code up} (default): prints pppd's nodetach lines up to "local  IP address", then runs until
 * SIGTERM, when it prints "Sent 1234 bytes, received 5678 bytes." and exits 5 as pppd does;
 * <li>{@code exit N}: fails at once with status N (19 = authentication failed, ...);
 * <li>{@code drop}: comes up, then after 0.5 s the "modem hangs up": exit 16;
 * <li>{@code blip}: comes up and the line drops at once (exit 16), racing the link's move to UP;
 * <li>{@code noup}: never reports the interface up;
 * <li>{@code hupterm}: comes up; told to stop (SIGTERM, the dialer hanging up) it reports the line
 * lost instead of a clean end ("Modem hangup", exit 16): the line dropped during the hang-up.
 * </ul>
 * In every mode that came up, {@link #hangUp} makes the modem hang up now (exit 16), as a line
 * dropping mid-call does.
 */
public final class PppdStandIn {
    private final Path dir;
    private final Path script;

    private PppdStandIn(Path dir) {
        this.dir = dir;
        this.script = dir.resolve("pppd");
    }

    public static PppdStandIn create(Path dir) throws IOException {
        Files.createDirectories(dir);
        PppdStandIn s = new PppdStandIn(dir);
        Files.writeString(s.script, """
                #!/bin/bash
                here=$(dirname "$0")
                n=$(ls "$here" | grep -c '^argv\\.')
                printf '%s\\n' "$@" > "$here/argv.$n"
                prev=""; opts=""
                for a in "$@"; do [ "$prev" = file ] && opts=$a; prev=$a; done
                cp "$opts" "$here/options.$n"
                stat -c %a "$opts" > "$here/options-mode.$n"
                mode=$(cat "$here/mode" 2>/dev/null || echo up)
                case "$mode" in
                  exit*) echo "stand-in pppd: failing as told"; exit ${mode#exit } ;;
                esac
                rm -f "$here/hangup"
                if [ "$mode" = hupterm ]; then
                  trap 'echo "Modem hangup"; echo "Connection terminated."; echo "Sent 1234 bytes, received 5678 bytes."; exit 16' TERM
                else
                  trap 'echo "Terminating on signal 15"; echo "Connection terminated."; echo "Sent 1234 bytes, received 5678 bytes."; exit 5' TERM
                fi
                echo "Using interface ppp0"
                echo "Connect: ppp0 <--> $1"
                if [ "$mode" != noup ]; then
                  echo "local  IP address 10.0.0.2"
                  echo "remote IP address 10.0.0.1"
                fi
                if [ "$mode" = drop ] || [ "$mode" = blip ]; then
                  [ "$mode" = drop ] && sleep 0.5
                  echo "Modem hangup"; echo "Connection terminated."; echo "Sent 10 bytes, received 20 bytes."; exit 16
                fi
                while :; do
                  sleep 0.1
                  if [ -e "$here/hangup" ]; then
                    rm -f "$here/hangup"
                    echo "Modem hangup"; echo "Connection terminated."; echo "Sent 100 bytes, received 200 bytes."; exit 16
                  fi
                done
                """);
        Files.setPosixFilePermissions(s.script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    public Path path() {
        return script;
    }

    /** The running pppd's modem hangs up now (the line dropped): it exits 16 within a tenth of a second. */
    public void hangUp() {
        try {
            Files.writeString(dir.resolve("hangup"), "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** up | exit N | drop | blip | noup | hupterm */
    public PppdStandIn mode(String mode) throws IOException {
        Files.writeString(dir.resolve("mode"), mode);
        return this;
    }

    /** The arguments (without argv[0], which is {@link #path}) of every run, in order. */
    public List<List<String>> runs() throws IOException {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve("argv." + i)); i++) {
            out.add(Files.readAllLines(dir.resolve("argv." + i)));
        }
        return out;
    }

    public String options(int run) throws IOException {
        return Files.readString(dir.resolve("options." + run));
    }

    public String optionsMode(int run) throws IOException {
        return Files.readString(dir.resolve("options-mode." + run)).strip();
    }

    public boolean ran() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("argv."));
        }
    }

    public static Duration settle() {
        return Duration.ofSeconds(5);
    }
}
