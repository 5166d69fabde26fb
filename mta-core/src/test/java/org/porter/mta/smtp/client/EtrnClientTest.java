package org.porter.mta.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.EtrnOutcome;
import org.porter.mta.api.EtrnOutcome.Kind;
import org.porter.mta.api.EtrnRequest;
import org.porter.mta.api.EtrnRequest.Tls;
import org.porter.mta.api.EtrnResult;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.TestTime;

/**
 * The ETRN client against real Postfix ISPs: one that permits ETRN, one that refuses it, one that
 * answers 530 to ETRN before STARTTLS, one that honours ETRN only after AUTH (cyrus SASL). The
 * scripted servers' cases are in {@link EtrnClientScriptedTest}.
 */
class EtrnClientTest {
    @TempDir
    static Path dir;
    static PostfixPeer isp;
    static PostfixPeer strictIsp;
    static PostfixPeer tlsIsp;
    static PostfixPeer authIsp;
    static final EtrnClient CLIENT = new EtrnClient("porter.office.example",
            ClientTimeouts.all(TestTime.scaled(Duration.ofSeconds(30))), TestTime.scaled(Duration.ofSeconds(90)),
            ClientTls.trustAnyServer());

    @BeforeAll
    static void start() throws Exception {
        isp = PostfixPeer.builder(dir.resolve("isp")).holdsMailFor("office.example", 2525).start();
        strictIsp = PostfixPeer.builder(dir.resolve("strict")).holdsMailFor("office.example", 2525)
                .param("smtpd_etrn_restrictions", "reject").start();
        // smtpd_tls_security_level = encrypt: "530 5.7.0 Must issue a STARTTLS command first" to ETRN in clear
        tlsIsp = PostfixPeer.builder(dir.resolve("tls")).holdsMailFor("office.example", 2525).requireTls().start();
        authIsp = PostfixPeer.builder(dir.resolve("auth")).holdsMailFor("office.example", 2525).tls()
                .saslUser("office", "isp.example", "s3cret pass")
                .param("smtpd_etrn_restrictions", "permit_sasl_authenticated, reject").start();
    }

    @AfterAll
    static void stop() {
        for (PostfixPeer p : new PostfixPeer[] {isp, strictIsp, tlsIsp, authIsp}) {
            if (p != null) {
                p.close();
            }
        }
    }

    static EtrnRequest plain(PostfixPeer peer, String... arguments) {
        return EtrnRequest.plain(peer.server(), List.of(arguments), false);
    }

    static EtrnRequest request(PostfixPeer peer, Tls tls, String user, String password) {
        return new EtrnRequest(peer.server(), List.of("office.example"), false, tls, user, password);
    }

    @Test
    void acceptedForEveryFormOfTheListedDomain() {
        EtrnResult r = CLIENT.run(plain(isp, "office.example", "@office.example", "#office.example"));
        assertThat(r.problem()).isEmpty();
        assertThat(r.advertised()).isTrue();
        assertThat(r.allAccepted()).isTrue();
        assertThat(r.outcomes()).extracting(EtrnOutcome::code).containsExactly(250, 250, 250);
        assertThat(r.messages().get(0)).isEqualTo("the ISP started delivering office.example: 250 Queuing started");
    }

    @Test
    void unlistedDomainGets459AndAClearSentence() {
        EtrnResult r = CLIENT.run(plain(isp, "office.example", "other.example"));
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
        EtrnResult r = CLIENT.run(plain(strictIsp, "office.example"));
        EtrnOutcome o = r.outcomes().get(0);
        assertThat(o.code()).isBetween(500, 599);
        assertThat(o.accepted()).isFalse();
        assertThat(o.message()).startsWith("your ISP did not accept ETRN for office.example: " + o.code());
    }

    @Test
    void noArgumentGets500() {
        EtrnResult r = CLIENT.run(plain(isp, ""));
        assertThat(r.outcomes().get(0).code()).isEqualTo(500);
        assertThat(r.outcomes().get(0).reply()).contains("Syntax: ETRN domain");
        assertThat(r.outcomes().get(0).kind()).isEqualTo(Kind.NOT_SUPPORTED);
    }

    @Test
    void unreachableServerIsAProblemNotAnException() {
        EtrnResult r = CLIENT.run(EtrnRequest.plain("127.0.0.1:1", List.of("office.example"), false));
        assertThat(r.problem()).startsWith("cannot reach your ISP's server 127.0.0.1:1 for ETRN");
        assertThat(r.allAccepted()).isFalse();
        assertThat(CLIENT.run(EtrnRequest.plain("127.0.0.1:99999", List.of("office.example"), false)).problem())
                .startsWith("not host or host:port: 127.0.0.1:99999");
    }

    @Test
    void everyRfc1985CodeMaps() throws Exception {
        assertThat(EtrnOutcome.of("d", 251, "251 none").kind()).isEqualTo(Kind.ACCEPTED);
        assertThat(EtrnOutcome.of("d", 253, "253 OK, 14 pending messages").message()).contains("14 pending");
        assertThat(EtrnOutcome.of("d", 458, "458 Unable to queue").kind()).isEqualTo(Kind.TEMPORARY);
        assertThat(EtrnOutcome.of("d", 502, "502 Command not implemented").kind()).isEqualTo(Kind.NOT_SUPPORTED);
        assertThat(EtrnOutcome.of("d", 501, "501 Syntax").message()).contains("#queue");
        assertThat(EtrnOutcome.of("d", 421, "421 closing").kind()).isEqualTo(Kind.TEMPORARY);
        assertThat(EtrnOutcome.of("d", 554, "554 no").kind()).isEqualTo(Kind.REFUSED);
        assertThat(EtrnClient.host("127.0.0.1").port()).isEqualTo(25);
        assertThat(EtrnClient.host("[::1]:2525").port()).isEqualTo(2525);
    }

    /** An argument with CR or LF would smuggle a second command to the ISP: refused before any connection. */
    @Test
    void anArgumentThatIsNotOneCommandIsRefused() {
        for (String bad : List.of("office.example\r\nQUIT", "a\nETRN b", "office example", "caf\u00e9.example")) {
            assertThatThrownBy(() -> EtrnRequest.plain(isp.server(), List.of(bad), false))
                    .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("not a domain to ask for with ETRN");
        }
    }

    // ---- an ISP that answers 530 to ETRN before STARTTLS ----

    @Test
    void ispRequiringStartTlsAnswers530InClear() {
        EtrnResult r = CLIENT.run(request(tlsIsp, Tls.NONE, "", ""));
        assertThat(r.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.code()).isEqualTo(530);
            assertThat(o.reply()).contains("STARTTLS");
            assertThat(o.accepted()).isFalse();
        });
    }

    @Test
    void opportunisticTlsGetsEtrnThroughAnIspThatRequiresIt() {
        EtrnResult r = CLIENT.run(request(tlsIsp, Tls.OPPORTUNISTIC, "", ""));
        assertThat(r.problem()).isEmpty();
        assertThat(r.allAccepted()).isTrue();
        assertThat(r.outcomes().get(0).reply()).isEqualTo("250 Queuing started");
    }

    @Test
    void requiredTlsGetsEtrnThroughAndIsRefusedWhereTlsIsNotOffered() {
        assertThat(CLIENT.run(request(tlsIsp, Tls.REQUIRED, "", "")).allAccepted()).isTrue();
        EtrnResult r = CLIENT.run(request(isp, Tls.REQUIRED, "", ""));
        assertThat(r.outcomes()).isEmpty();
        assertThat(r.problem()).isEqualTo("your ISP's server " + isp.server()
                + " does not offer STARTTLS, and etrn.tls is required");
    }

    // ---- an ISP that honours ETRN only after AUTH ----

    @Test
    void ispHonouringEtrnOnlyAfterAuthRefusesItWithoutALogin() {
        EtrnResult r = CLIENT.run(request(authIsp, Tls.OPPORTUNISTIC, "", ""));
        assertThat(r.outcomes()).singleElement().satisfies(o -> assertThat(o.accepted()).isFalse());
    }

    @Test
    void loginOverTlsGetsEtrnAccepted() {
        EtrnResult r = CLIENT.run(request(authIsp, Tls.OPPORTUNISTIC, "office@isp.example", "s3cret pass"));
        assertThat(r.problem()).isEmpty();
        assertThat(r.allAccepted()).isTrue();
    }

    @Test
    void wrongPasswordIsAProblemForTheOwner() {
        EtrnResult r = CLIENT.run(request(authIsp, Tls.REQUIRED, "office@isp.example", "wrong"));
        assertThat(r.outcomes()).isEmpty();
        assertThat(r.problem()).startsWith("your ISP's server " + authIsp.server()
                + " refused the ETRN login (etrn.auth-user, etrn.auth-password): 535");
    }

    @Test
    void noPasswordInClear() {
        EtrnResult r = CLIENT.run(request(authIsp, Tls.NONE, "office@isp.example", "s3cret pass"));
        assertThat(r.outcomes()).isEmpty();
        assertThat(r.problem()).isEqualTo("Porter sends the ETRN login (etrn.auth-user) only over TLS, and the session"
                + " with your ISP's server " + authIsp.server() + " is not encrypted (etrn.tls is none)");
    }
}
