package org.porter.mta.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.MtaCore;
import org.porter.mta.api.Mta;
import org.porter.mta.api.OdmrResult;
import org.porter.mta.api.OdmrResult.Outcome;
import org.porter.mta.testing.OdmrIsp;

/**
 * The ODMR client (RFC 2645) against our test ISP on a real socket: login, ATRN, the turn, and the
 * held mail arriving through Porter's SMTP receive path into real mailboxes; the refusals in the
 * owner's words; a line dropped in the middle of DATA loses nothing and duplicates nothing.
 */
class OdmrClientTest {
    private static final Duration LIMIT = Duration.ofMinutes(2);
    private static final byte[] ONE = msg("From: partner@elsewhere.example\r\nTo: alice@office.example\r\n"
            + "Subject: one\r\n\r\nhello alice\r\n");
    private static final byte[] TWO = msg("From: partner@elsewhere.example\r\nTo: alice@office.example, bob@office.example\r\n"
            + "Subject: for two\r\n\r\nhello both\r\n");
    /** Lines starting with a dot, one a dot alone: dot-stuffed on the wire, byte-exact in the mailbox. */
    private static final byte[] DOTS = msg("From: partner@elsewhere.example\r\nTo: bob@office.example\r\n"
            + "Subject: dots\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nend\r\n");

    @TempDir
    Path tmp;
    private Mta mta;
    private OdmrIsp isp;

    @BeforeEach
    void start() throws Exception {
        mta = MtaCore.open(tmp.resolve("porter"), "mail.office.example", List.of(), Clock.systemUTC());
        mta.directory().addDomain("office.example");
        for (String u : List.of("alice", "bob")) {
            mta.directory().addUser(u + "@office.example", "secret-pw".toCharArray());
        }
        isp = new OdmrIsp("office", "odmr-secret");
        mta.settings().set("odmr.server", isp.server());
        mta.settings().set("odmr.auth-user", "office");
        mta.settings().set("odmr.auth-password", "odmr-secret");
    }

    @AfterEach
    void stop() throws IOException {
        if (mta != null) {
            mta.close();
        }
        if (isp != null) {
            isp.close();
        }
    }

    private static byte[] msg(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> mailbox(String user) throws IOException {
        List<String> out = new ArrayList<>();
        for (var e : mta.mailboxes().list(user + "@office.example")) {
            try (InputStream in = mta.mailboxes().open(e.id())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void theHeldMailArrivesOverTheTurnedConnectionByteExact() throws Exception {
        isp.offerTls(tmp.resolve("isp-tls"));
        isp.hold("partner@elsewhere.example", List.of("alice@office.example"), ONE);
        isp.hold("partner@elsewhere.example", List.of("alice@office.example", "bob@office.example"), TWO);
        isp.hold("partner@elsewhere.example", List.of("bob@office.example"), DOTS);
        mta.settings().set("odmr.tls", "required");
        assertThat(mta.odmr().configured()).isTrue();

        OdmrResult r = mta.odmr().run(LIMIT);

        assertThat(r.outcome()).as(r.toString()).isEqualTo(Outcome.DELIVERED);
        assertThat(r.messages()).isEqualTo(3);
        assertThat(r.message()).isEqualTo("3 messages received by ODMR (ATRN) from " + isp.server());
        assertThat(isp.held()).isEmpty();
        assertThat(isp.transcript()).containsSubsequence("C: STARTTLS", "C: AUTH (hidden)",
                "C: ATRN office.example", "S: 250 OK now reversing the connection", "S: EHLO odmr.isp.example",
                "S: QUIT", "C: 221 2.0.0 Bye");
        List<String> alice = mailbox("alice");
        List<String> bob = mailbox("bob");
        assertThat(alice).hasSize(2);
        assertThat(bob).hasSize(2);
        assertThat(alice.get(0)).startsWith("Return-Path: <partner@elsewhere.example>\r\n")
                .contains("\r\nReceived: from odmr.isp.example ([127.0.0.1])\r\n").endsWith("\r\n" + text(ONE));
        assertThat(alice.get(1)).endsWith("\r\n" + text(TWO));
        assertThat(bob.get(0)).endsWith("\r\n" + text(TWO));
        assertThat(bob.get(1)).endsWith("\r\n" + text(DOTS))
                .contains("\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nend\r\n");
    }

    @Test
    void theDomainsAskedForAreTheSettingsOrElseTheLocalDomains() throws Exception {
        isp.offerTls(tmp.resolve("isp-tls"));
        isp.hold("partner@elsewhere.example", List.of("alice@branch.example"), ONE);
        mta.directory().addDomain("branch.example");
        mta.directory().addUser("alice@branch.example", "secret-pw".toCharArray());
        mta.settings().set("odmr.domains", "branch.example");

        OdmrResult r = mta.odmr().run(LIMIT);

        assertThat(r.outcome()).as(r.toString()).isEqualTo(Outcome.DELIVERED);
        assertThat(isp.transcript()).contains("C: ATRN branch.example");
        assertThat(mta.mailboxes().list("alice@branch.example")).hasSize(1);

        mta.settings().set("odmr.domains", "");
        mta.odmr().run(LIMIT);
        assertThat(isp.transcript()).contains("C: ATRN branch.example,office.example");
    }

    @Test
    void nothingHeldIsNothingWaitingNotAFailure() throws Exception {
        isp.offerTls(tmp.resolve("isp-tls"));

        OdmrResult r = mta.odmr().run(LIMIT);

        assertThat(r.outcome()).isEqualTo(Outcome.NOTHING_WAITING);
        assertThat(r.done()).isTrue();
        assertThat(r.message()).isEqualTo("your ISP holds no mail for office.example (ODMR: 453 no mail)");
        assertThat(isp.transcript()).containsSubsequence("S: 453 You have no mail", "C: QUIT");
    }

    @Test
    void aLoginIsRequiredAndARefusedOneStopsBeforeAtrn() throws Exception {
        isp.offerTls(tmp.resolve("isp-tls"));
        isp.hold("partner@elsewhere.example", List.of("alice@office.example"), ONE);

        mta.settings().set("odmr.auth-user", "");
        OdmrResult none = mta.odmr().run(LIMIT);
        assertThat(none.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(none.message()).contains("set odmr.auth-user");
        assertThat(isp.connections()).as("nothing to say without a login").isZero();

        mta.settings().set("odmr.auth-user", "office");
        mta.settings().set("odmr.auth-password", "wrong");
        OdmrResult refused = mta.odmr().run(LIMIT);
        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.message()).contains("refused the ODMR login (odmr.auth-user, odmr.auth-password)");
        assertThat(isp.transcript()).noneMatch(l -> l.startsWith("C: ATRN"));
        assertThat(isp.held()).hasSize(1);
        assertThat(mailbox("alice")).isEmpty();
    }

    @Test
    void requiredTlsIsRefusedWhenNotOfferedAndTheLoginNeverGoesInClear() throws Exception {
        isp.hold("partner@elsewhere.example", List.of("alice@office.example"), ONE);
        mta.settings().set("odmr.tls", "required");

        OdmrResult r = mta.odmr().run(LIMIT);
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.message()).isEqualTo("your ISP's ODMR server " + isp.server()
                + " does not offer STARTTLS, and odmr.tls is required");

        mta.settings().set("odmr.tls", "opportunistic");
        OdmrResult clear = mta.odmr().run(LIMIT);
        assertThat(clear.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(clear.message()).contains("only over TLS").endsWith("(it did not offer STARTTLS)");

        assertThat(isp.transcript()).noneMatch(l -> l.startsWith("C: AUTH") || l.startsWith("C: ATRN"));
        assertThat(isp.held()).hasSize(1);
    }

    @Test
    void refusalsAreSentencesForTheOwner() throws Exception {
        isp.offerTls(tmp.resolve("isp-tls"));
        isp.hold("partner@elsewhere.example", List.of("alice@office.example"), ONE);

        isp.busy(true);
        OdmrResult busy = mta.odmr().run(LIMIT);
        assertThat(busy.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(busy.message()).isEqualTo("your ISP's ODMR server cannot deliver the mail for office.example now;"
                + " next call (450 Unable to process ATRN request now)");
        isp.busy(false);

        isp.refuse("office.example");
        assertThat(mta.odmr().run(LIMIT).outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(isp.held()).hasSize(1);
    }

    @Test
    void aServerWithoutAtrnSaysSo() throws Exception {
        isp.offerTls(tmp.resolve("isp-tls")).withoutAtrn();
        OdmrResult r = mta.odmr().run(LIMIT);
        assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.message()).startsWith("your ISP's server " + isp.server() + " does not offer ODMR (ATRN) (502");
    }

    @Test
    void aLineDroppedInTheMiddleOfDataLosesNothingAndDuplicatesNothing() throws Exception {
        isp.offerTls(tmp.resolve("isp-tls"));
        isp.hold("partner@elsewhere.example", List.of("alice@office.example"), ONE);
        isp.hold("partner@elsewhere.example", List.of("alice@office.example", "bob@office.example"), TWO);
        isp.dropDuringDataOfNext(40);

        OdmrResult first = mta.odmr().run(LIMIT);

        assertThat(first.outcome()).as(first.toString()).isEqualTo(Outcome.FAILED);
        assertThat(first.messages()).isZero();
        assertThat(first.message()).contains("the connection ended before the ISP was done");
        assertThat(mailbox("alice")).as("the half message is not committed").isEmpty();
        assertThat(isp.held()).hasSize(2);

        OdmrResult second = mta.odmr().run(LIMIT);

        assertThat(second.outcome()).as(second.toString()).isEqualTo(Outcome.DELIVERED);
        assertThat(second.messages()).isEqualTo(2);
        assertThat(isp.held()).isEmpty();
        List<String> alice = mailbox("alice");
        assertThat(alice).hasSize(2);
        assertThat(alice.get(0)).endsWith("\r\n" + text(ONE));
        assertThat(alice.get(1)).endsWith("\r\n" + text(TWO));
        assertThat(mailbox("bob")).hasSize(1);
    }
}
