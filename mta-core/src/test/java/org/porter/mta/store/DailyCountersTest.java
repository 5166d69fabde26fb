package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.porter.mta.testing.StoreEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.Mta;
import org.porter.mta.api.Statistics;

/**
 * The statistics' daily counters, kept as mail and calls happen: accepted messages and their local
 * deliveries (in the accept's transaction), SMTP refusals over a real socket, calls with their line
 * use; exact under concurrent SMTP sessions; and still there after a restart.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class DailyCountersTest {
    @Parameter
    StoreEngine engine;

    @TempDir
    Path dir;

    static Statistics.Day today(Mta mta) {
        LocalDate d = LocalDate.now();
        List<Statistics.Day> days = mta.statistics().days(d.minusDays(1), d);
        assertThat(days).hasSize(2);
        assertThat(days.get(0).date()).isEqualTo(d.minusDays(1));
        return days.get(1);
    }

    @Test
    void countsMessagesRefusalsAndCallsAndKeepsThemAcrossARestart() throws Exception {
        engine.dataFolder(dir);
        try (Mta mta = Mta.open(dir, "mail.office.example", List.of())) {
            mta.directory().addDomain("office.example");
            mta.directory().addUser("alice@office.example", "alice-password".toCharArray());
            mta.directory().addUser("bob@office.example", "bob-password".toCharArray());
            assertThat(today(mta).received()).isZero();
            int port = mta.startSmtp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();

            // 3 sessions in parallel, 10 messages each to alice and bob; one unknown recipient refused each
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<String>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                runs.add(pool.submit(() -> session(port, 10)));
            }
            for (Future<String> f : runs) {
                assertThat(f.get()).isEqualTo("ok");
            }
            pool.shutdown();
            mta.submit("postmaster@office.example", List.of("alice@office.example"),
                    "Subject: test\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            mta.callLog().add(new CallLog.Call(0, Instant.now().minusSeconds(90), Instant.now(), "modem", 75, 12_000, 3_000,
                    "pppd", 1, 2, "ok", "fine"));

            Statistics.Day d = today(mta);
            assertThat(d.received()).isEqualTo(31);
            assertThat(d.local()).isEqualTo(61);
            assertThat(d.rejected()).isEqualTo(3);
            assertThat(d.calls()).isEqualTo(1);
            assertThat(d.connectedSeconds()).isEqualTo(75);
            assertThat(d.bytesIn()).isEqualTo(12_000);
            assertThat(d.bytesOut()).isEqualTo(3_000);
            assertThat(d.sent()).isZero();
        }
        try (Mta again = Mta.open(dir, "mail.office.example", List.of())) {
            assertThat(today(again).received()).as("after a restart").isEqualTo(31);
            assertThat(today(again).local()).isEqualTo(61);
        }
    }

    /** One SMTP session: a refused recipient, then {@code n} messages for alice and bob. */
    static String session(int port, int n) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            send(out, "EHLO pc.office.example");
            expect(in, "250 ");
            send(out, "MAIL FROM:<boss@elsewhere.example>");
            expect(in, "250");
            send(out, "RCPT TO:<nobody@office.example>");
            expect(in, "550");
            send(out, "RSET");
            expect(in, "250");
            for (int i = 0; i < n; i++) {
                send(out, "MAIL FROM:<boss@elsewhere.example>");
                expect(in, "250");
                send(out, "RCPT TO:<alice@office.example>");
                expect(in, "250");
                send(out, "RCPT TO:<bob@office.example>");
                expect(in, "250");
                send(out, "DATA");
                expect(in, "354");
                send(out, "Subject: number " + i + "\r\n\r\nhello\r\n.");
                expect(in, "250");
            }
            send(out, "QUIT");
            return "ok";
        }
    }

    static void send(OutputStream out, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static void expect(BufferedReader in, String prefix) throws Exception {
        String line;
        do {
            line = in.readLine();
            assertThat(line).as("reply").isNotNull();
        } while (line.length() > 3 && line.charAt(3) == '-');
        assertThat(line).startsWith(prefix);
    }
}
