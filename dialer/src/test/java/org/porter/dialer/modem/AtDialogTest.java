package org.porter.dialer.modem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.testing.TestTime;

/** The AT dialog against our modem emulator over a real pty pair (socat). */
class AtDialogTest {
    static final Duration GUARD = Duration.ofMillis(300);
    /** How long the test waits for the emulator's answer (a deadline: the dialog ends at the answer). */
    static final Duration WAIT = TestTime.scaled(Duration.ofSeconds(10));
    static final ModemDialect TONE = new ModemDialect.Analog(false);

    @TempDir
    Path dir;
    PtyPair pty;
    ModemEmulator modem;
    JSerialLine line;
    AtDialog at;

    @BeforeEach
    void connect() throws Exception {
        pty = PtyPair.open(dir);
        modem = ModemEmulator.analog(pty);
        line = JSerialLine.open(pty.dte(), 115200, false);
        at = new AtDialog(line, WAIT, GUARD);
    }

    @AfterEach
    void close() throws Exception {
        line.close();
        modem.close();
        pty.close();
    }

    @Test
    void initWithEchoOnThenDialConnectsWithSpeed() throws Exception {
        at.init(List.of("ATZ", "ATX3"), TONE);
        var r = at.dial(TONE, "5551234", WAIT);
        assertThat(r.code()).isEqualTo(ResultCode.CONNECT);
        assertThat(r.detail()).isEqualTo("33600");
        assertThat(modem.commands()).containsExactly("ATZ", "ATX3", "ATDT5551234");
        assertThat(modem.online()).isTrue();
    }

    @Test
    void pulseDialling() throws Exception {
        at.dial(new ModemDialect.Analog(true), "5551234", WAIT);
        assertThat(modem.commands()).containsExactly("ATDP5551234");
    }

    @ParameterizedTest
    @CsvSource({"BUSY, BUSY, busy, true", "NO CARRIER, NO_CARRIER, no-carrier, false",
            "NO DIALTONE, NO_DIALTONE, no-dialtone, false", "NO ANSWER, NO_ANSWER, no-answer, true",
            "ERROR, ERROR, error, false"})
    void everyFailedDialResult(String said, ResultCode code, String outcome, boolean retryable) throws Exception {
        modem.dialResults(said);
        assertThatThrownBy(() -> at.dial(TONE, "5551234", WAIT))
                .isInstanceOfSatisfying(DialFailedException.class, e -> {
                    assertThat(e.code()).contains(code);
                    assertThat(e.outcome()).isEqualTo(outcome);
                    assertThat(e.retryable()).isEqualTo(retryable);
                    assertThat(e.getMessage()).contains("dialling 5551234 failed").contains(said);
                });
    }

    @Test
    void ringWhileDiallingIsSkipped() throws Exception {
        modem.dialResults("RING");
        assertThat(at.dial(TONE, "1", WAIT).code()).isEqualTo(ResultCode.CONNECT);
    }

    @Test
    void numericResultCodes() throws Exception {
        at.init(List.of("ATE0", "ATV0"), TONE);
        modem.dialResults("BUSY");
        assertThatThrownBy(() -> at.dial(TONE, "1", WAIT))
                .isInstanceOfSatisfying(DialFailedException.class, e -> assertThat(e.code()).contains(ResultCode.BUSY));
        assertThat(at.dial(TONE, "1", WAIT).code()).isEqualTo(ResultCode.CONNECT);
    }

    @Test
    void refusedInitCommandNamesIt() {
        assertThatThrownBy(() -> at.init(List.of("ATZ", "AT+BOGUS"), TONE))
                .isInstanceOf(DialFailedException.class).hasMessageContaining("AT+BOGUS").hasMessageContaining("ERROR");
    }

    @Test
    void silentModemTimesOut() {
        modem.silentOnDial();
        // the dial timeout is the scenario here: 0.7 s of silence must end the dial
        assertThatThrownBy(() -> at.dial(TONE, "1", Duration.ofMillis(700)))
                .isInstanceOfSatisfying(DialFailedException.class, e -> assertThat(e.outcome()).isEqualTo("timeout"));
    }

    @Test
    void lineLostWhileDialling() {
        modem.dropOnDial();
        assertThatThrownBy(() -> at.dial(TONE, "1", WAIT))
                .isInstanceOfSatisfying(DialFailedException.class, e -> assertThat(e.outcome()).isEqualTo("line-lost"));
    }

    @Test
    void dataFlowsAfterConnectAndHangUpIsSeenByTheModem() throws Exception {
        at.dial(TONE, "1", WAIT);
        line.write("hello ISP".getBytes());
        modem.sendData("hello office".getBytes());
        byte[] buf = new byte[64];
        int n = line.read(buf, WAIT);
        assertThat(new String(buf, 0, n)).isEqualTo("hello office");
        assertThat(at.hangUp()).isTrue();
        assertThat(modem.events()).containsSubsequence("connected", "escape", "hung up (ATH)");
        assertThat(new String(modem.data())).isEqualTo("hello ISP");
        assertThat(modem.commands()).endsWith("ATH");
    }

    @Test
    void isdnTerminalAdapterDialect() throws Exception {
        modem.close();
        pty.close();
        line.close();
        pty = PtyPair.open(java.nio.file.Files.createDirectories(dir.resolve("isdn")));
        modem = ModemEmulator.isdnTa(pty);
        line = JSerialLine.open(pty.dte(), 115200, false);
        at = new AtDialog(line, WAIT, GUARD);
        ModemDialect ta = new ModemDialect.IsdnTa("4711");
        at.init(List.of("ATZ"), ta);
        var r = at.dial(ta, "0191011", WAIT);
        assertThat(r.detail()).isEqualTo("64000");
        assertThat(modem.commands()).containsExactly("ATZ", "AT&E4711", "ATD0191011");
    }
}
