package org.porter.appliance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.porter.mta.testing.TestTime;

/** A POP3 session of the fault tests, logged in; every command's reply read before the next. */
final class Pop3Session implements AutoCloseable {
    static final String PASSWORD = "long-enough-pw";
    final Socket socket;
    final BufferedReader in;
    final OutputStream out;

    /** As alice. */
    Pop3Session(int port) throws IOException {
        this(port, "alice@office.example");
    }

    Pop3Session(int port, String user) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(TestTime.millis(30_000));
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = socket.getOutputStream();
        assertThat(in.readLine()).startsWith("+OK");
        ok("USER " + user);
        ok("PASS " + PASSWORD);
    }

    void send(String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    String ok(String command) throws IOException {
        send(command);
        String reply = in.readLine();
        assertThat(reply).as(command).startsWith("+OK");
        return reply;
    }

    List<String> uidls() throws IOException {
        ok("UIDL");
        List<String> ids = new ArrayList<>();
        for (String l; !(l = in.readLine()).equals(".");) {
            ids.add(l.substring(l.indexOf(' ') + 1));
        }
        return ids;
    }

    /** The message's lines (still dot-stuffed), CRLF-joined. */
    String retr(int n) throws IOException {
        ok("RETR " + n);
        StringBuilder b = new StringBuilder();
        for (String l; !(l = in.readLine()).equals(".");) {
            b.append(l).append("\r\n");
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
