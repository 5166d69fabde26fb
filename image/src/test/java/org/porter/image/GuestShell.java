package org.porter.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.porter.mta.testing.TestTime;

/**
 * The test image's root shell on ttyS3 ({@code porter-test-shell.service}, test image only), over the
 * port's socket: {@link #run} writes one command line and reads its output up to a marker carrying
 * the exit status. The port is raw with echo off, so only the command's output comes back.
 */
final class GuestShell implements AutoCloseable {
    private final SocketChannel channel;
    private final StringBuffer output = new StringBuffer();
    private int serial;

    private GuestShell(SocketChannel channel) {
        this.channel = channel;
        Thread.ofPlatform().daemon().name("guest-shell").start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try {
                while (channel.read(buf) >= 0) {
                    buf.flip();
                    output.append(StandardCharsets.UTF_8.decode(buf));
                    buf.clear();
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    /** Connects and waits until the shell answers (it starts late in the boot). */
    static GuestShell open(QemuVm vm, String port, Duration timeout) throws Exception {
        GuestShell sh = new GuestShell(vm.connectSerial(port));
        long deadline = System.nanoTime() + TestTime.scaled(timeout).toNanos();
        while (System.nanoTime() < deadline) {
            if (sh.attempt("true", Duration.ofSeconds(5)) != null) {
                return sh;
            }
        }
        throw new AssertionError("no root shell on the test image's " + port);
    }

    /** Runs {@code command} (one line of bash), expects exit status 0, returns its output. */
    String run(String command, Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        Result r = attempt(command, timeout);
        // where a boot test's minutes go: each guest command's time (a porter command is a JVM start under TCG)
        ApplianceBootTest.figure("guest: " + command.substring(0, Math.min(60, command.length())), t0);
        assertThat(r).as("'%s' did not finish within %s", command, timeout).isNotNull();
        assertThat(r.status()).as("'%s' exited %d:%n%s", command, r.status(), r.output()).isZero();
        return r.output();
    }

    record Result(int status, String output) {
    }

    /** Runs {@code command}; null when it did not finish in time. */
    Result attempt(String command, Duration timeout) throws Exception {
        String marker = "__porter_test_" + (++serial) + "_";
        int from = output.length();
        write("{ " + command + "\n} 2>&1; echo \"" + marker + "$?__\"\n");
        Pattern done = Pattern.compile(Pattern.quote(marker) + "(\\d+)__");
        long deadline = System.nanoTime() + TestTime.scaled(timeout).toNanos();
        while (System.nanoTime() < deadline) {
            String seen = output.substring(Math.min(from, output.length()));
            Matcher m = done.matcher(seen);
            if (m.find()) {
                return new Result(Integer.parseInt(m.group(1)), seen.substring(0, m.start()).replace("\r", ""));
            }
            Thread.sleep(50);
        }
        return null;
    }

    private synchronized void write(String s) throws IOException {
        ByteBuffer b = StandardCharsets.UTF_8.encode(s);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
