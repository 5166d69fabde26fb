package org.porter.dialer.etrn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.etrn.EtrnOutcome.Kind;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.TestTime;

/** The ETRN client against a real Postfix playing the ISP (one that permits ETRN, one that refuses it). */
class EtrnClientTest {
    @TempDir
    static Path dir;
    static PostfixPeer isp;
    static PostfixPeer strictIsp;
    final EtrnClient client = new EtrnClient("porter.office.example", TestTime.scaled(Duration.ofSeconds(30)));

    @BeforeAll
    static void start() throws Exception {
        isp = PostfixPeer.builder(dir.resolve("isp")).holdsMailFor("office.example", 2525).start();
        strictIsp = PostfixPeer.builder(dir.resolve("strict")).holdsMailFor("office.example", 2525)
                .param("smtpd_etrn_restrictions", "reject").start();
    }

    @AfterAll
    static void stop() {
        if (isp != null) {
            isp.close();
        }
        if (strictIsp != null) {
            strictIsp.close();
        }
    }

    @Test
    void acceptedForEveryFormOfTheListedDomain() {
        EtrnResult r = client.run(isp.server(), List.of("office.example", "@office.example", "#office.example"), false);
        assertThat(r.problem()).isEmpty();
        assertThat(r.advertised()).isTrue();
        assertThat(r.allAccepted()).isTrue();
        assertThat(r.outcomes()).extracting(EtrnOutcome::code).containsExactly(250, 250, 250);
        assertThat(r.messages().get(0)).isEqualTo("the ISP started delivering office.example: 250 Queuing started");
    }

    @Test
    void unlistedDomainGets459AndAClearSentence() {
        EtrnResult r = client.run(isp.server(), List.of("office.example", "other.example"), false);
        assertThat(r.allAccepted()).isFalse();
        EtrnOutcome other = r.outcomes().get(1);
        assertThat(other.code()).isEqualTo(459);
        assertThat(other.kind()).isEqualTo(Kind.REFUSED);
        assertThat(other.message()).startsWith("your ISP did not accept ETRN for other.example: 459 ")
                .contains("service unavailable");
        assertThat(r.outcomes().get(0).accepted()).isTrue();
    }

    @Test
    void ispThatRejectsEtrn() {
        EtrnResult r = client.run(strictIsp.server(), List.of("office.example"), false);
        EtrnOutcome o = r.outcomes().get(0);
        assertThat(o.code()).isBetween(500, 599);
        assertThat(o.accepted()).isFalse();
        assertThat(o.message()).startsWith("your ISP did not accept ETRN for office.example: " + o.code());
    }

    @Test
    void noArgumentGets500() {
        EtrnResult r = client.run(isp.server(), List.of(""), false);
        assertThat(r.outcomes().get(0).code()).isEqualTo(500);
        assertThat(r.outcomes().get(0).reply()).contains("Syntax: ETRN domain");
        assertThat(r.outcomes().get(0).kind()).isEqualTo(Kind.NOT_SUPPORTED);
    }

    @Test
    void unreachableServerIsAProblemNotAnException() {
        EtrnResult r = client.run("127.0.0.1:1", List.of("office.example"), false);
        assertThat(r.problem()).startsWith("cannot reach your ISP's server 127.0.0.1:1 for ETRN");
        assertThat(r.allAccepted()).isFalse();
    }

    @Test
    void everyRfc1985CodeMaps() {
        assertThat(EtrnOutcome.of("d", 251, "251 none").kind()).isEqualTo(Kind.ACCEPTED);
        assertThat(EtrnOutcome.of("d", 253, "253 OK, 14 pending messages").message()).contains("14 pending");
        assertThat(EtrnOutcome.of("d", 458, "458 Unable to queue").kind()).isEqualTo(Kind.TEMPORARY);
        assertThat(EtrnOutcome.of("d", 502, "502 Command not implemented").kind()).isEqualTo(Kind.NOT_SUPPORTED);
        assertThat(EtrnOutcome.of("d", 501, "501 Syntax").message()).contains("#queue");
        assertThat(EtrnOutcome.of("d", 421, "421 closing").kind()).isEqualTo(Kind.TEMPORARY);
        assertThat(EtrnOutcome.of("d", 554, "554 no").kind()).isEqualTo(Kind.REFUSED);
        assertThat(EtrnClient.address("isp.example").getPort()).isEqualTo(25);
        assertThat(EtrnClient.address("[::1]:2525").getPort()).isEqualTo(2525);
    }
}
