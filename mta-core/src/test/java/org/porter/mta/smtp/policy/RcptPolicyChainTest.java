package org.porter.mta.smtp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.porter.mta.routing.Route;
import org.porter.mta.smtp.server.SmtpReply;

/**
 * The chain's contract: steps run in order, the first that does not answer NEXT decides and the
 * rest are not asked; a chain where nobody decides is a bug. (The standard steps' replies are
 * checked end to end by the scripted SMTP sessions, e.g. 06-relay-denied, 15-too-many-recipients.)
 */
class RcptPolicyChainTest {
    private static final RcptRequest RCPT = new RcptRequest(null, "bob@office.example", "bob@office.example");
    private final List<String> asked = new ArrayList<>();

    private RcptPolicy step(String name, RcptVerdict verdict) {
        return rcpt -> {
            asked.add(name);
            return verdict;
        };
    }

    @Test
    void theFirstStepThatDecidesWinsAndTheRestAreNotAsked() {
        SmtpReply refused = SmtpReply.of(550, "5.7.1", "<bob@office.example>: Recipient address rejected: device profile");
        RcptPolicyChain chain = new RcptPolicyChain(List.of(step("limit", RcptVerdict.NEXT),
                step("profile", new RcptVerdict.Reject(refused)), step("route", RcptVerdict.NEXT)));
        assertThat(chain.decide(RCPT)).isEqualTo(new RcptVerdict.Reject(refused));
        assertThat(asked).containsExactly("limit", "profile");
    }

    @Test
    void aJoinedCheckCanAcceptBeforeTheRestOfTheChain() {
        Route.Accepted route = new Route.Accepted(List.of(), List.of("bob@office.example"));
        RcptPolicyChain chain = new RcptPolicyChain(List.of(step("profile", new RcptVerdict.Accept(route)),
                step("route", RcptVerdict.NEXT)));
        assertThat(chain.decide(RCPT)).isEqualTo(new RcptVerdict.Accept(route));
        assertThat(asked).containsExactly("profile");
    }

    @Test
    void aChainWhereNoStepDecidesIsABug() {
        RcptPolicyChain chain = new RcptPolicyChain(List.of(step("a", RcptVerdict.NEXT), step("b", RcptVerdict.NEXT)));
        assertThatThrownBy(() -> chain.decide(RCPT)).isInstanceOf(IllegalStateException.class);
        assertThat(asked).containsExactly("a", "b");
    }
}
