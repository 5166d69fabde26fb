package org.porter.mta.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.mta.testing.Generated.forAll;
import static org.porter.mta.testing.Generated.oneOf;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.porter.mta.testing.Generated;

/**
 * Issue 14, hostile input: the address parser of MAIL FROM / RCPT TO ({@link EnvelopePath}) over
 * generated arguments. Every argument is a path or a 501 refusal (never another exception); an
 * address it accepts carries no control character (it goes into the store, the mail log and other
 * servers' envelopes), and is its own normal form: given back as a path it parses to itself.
 */
class EnvelopePathPropertyTest {

    @Test
    void anyArgumentIsAPathOrA501() throws Exception {
        forAll(5000, r -> check(argument(r)));
        forAll(1000, r -> {
            String tail = Generated.unicode(r, 30);
            check("TO:<" + tail + ">");
            check("FROM:" + tail);
        });
    }

    /** Found by the property: a quoted local part with a control character in it was taken. */
    @Test
    void controlCharactersAreRefusedEvenInsideQuotes() {
        for (String arg : new String[] {"FROM:<\"\u0000\"@a>", "TO:<\"a\u0001b\"@office.example>", "TO:<\"\u007f\"@x.example>",
                "TO:<\"é\u0000\"@x.example>", "TO:<\"\\\u0000\"@x.example>", "TO:<\"a\u0085\"@x.example>"}) {
            try {
                EnvelopePath.parse(arg, arg.startsWith("TO") ? "TO" : "FROM", "5.1.3", "recipient");
                throw new AssertionError("taken: " + arg);
            } catch (RejectException e) {
                assertThat(e.reply().code()).isEqualTo(501);
            }
        }
    }

    /**
     * Found by EnvelopePathFuzzTest (Jazzer): an 8-bit address whose local part only began and ended with a
     * quote ({@code "%"@o¶%"}), or was an empty quoted string ({@code ""@oo¬o}), was taken, and its stored
     * form did not parse again; so was an ASCII local part with a quoted pair outside quotes ({@code \\"@o},
     * unbracketed), or a quoted local part at an 8-bit domain that the ASCII rules refuse once the domain is
     * an A-label. Now a 501.
     */
    @Test
    void aLocalPartIsQuotedOnlyWhenItIsOneQuotedString() {
        for (String arg : new String[] {"FROM:\"%\"@o\u00b6%\"@o", "TO:\"%\"@o\u00b6%\"@o\u00ac", "TO:<\"a\"b\u00e9\"@x.example>",
                "FROM:\"\"@oo\u00aco", "TO:<\"\"@b\u00fccher.example>", "FROM:\\\"@o", "TO:a\\\"b@office.example",
                "TO:\"\\]u..5h\\?\"@o\u00f3zh",
                "TO:<\"\u00e9\\\"@x.example>"}) {
            try {
                EnvelopePath p = EnvelopePath.parse(arg, arg.startsWith("TO") ? "TO" : "FROM", "5.1.3", "recipient");
                throw new AssertionError("taken: " + arg + " as " + p.address());
            } catch (RejectException e) {
                assertThat(e.reply().code()).isEqualTo(501);
            }
        }
        for (String arg : new String[] {"TO:<\"\u00e9 \\\" x\"@x.example>", "TO:<\"a@b\"@b\u00fccher.example>"}) {
            check(arg);
            assertThat(EnvelopePath.parse(arg, "TO", "5.1.3", "recipient").address()).startsWith("\"");
        }
    }

    static void check(String arg) {
        String keyword = arg.regionMatches(true, 0, "TO", 0, 2) ? "TO" : "FROM";
        EnvelopePath p;
        try {
            p = EnvelopePath.parse(arg, keyword, "5.1.3", "recipient");
        } catch (RejectException e) {
            assertThat(e.reply().code()).as(arg).isEqualTo(501);
            return;
        }
        String a = p.address();
        assertThat(a.codePoints().noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)))
                .as("no control characters in the address accepted from %s: %s", arg, a).isTrue();
        if (!a.isEmpty()) {
            assertThat(EnvelopePath.parse(keyword + ":<" + a + ">", keyword, "5.1.3", "recipient").address())
                    .as("the normal form of %s", arg).isEqualTo(a);
        }
    }

    private static String argument(Random r) {
        String local = r.nextBoolean()
                ? Generated.string(r, "abcXYZ09.!#$%&'*+/=?^_`{|}~-\"\\ @é\u0000\u0001\u007f\u0085", 20)
                : oneOf(r, "alice", "\"a b\"", "\"q\\\"x\"", "a..b", ".a", "a.", "\"\u0001\"", "\"é\u0000\"");
        String domain = r.nextBoolean() ? Generated.string(r, "abcXYZ09.-[]:é\u3002\uFF0E", 20)
                : oneOf(r, "office.example", "[192.0.2.1]", "[IPv6:2001:db8::1]", "bücher.example", "xn--bcher-kva.example",
                        "a".repeat(70) + ".example");
        return oneOf(r, "FROM:", "TO:", "from:", "TO: ", "FROM") + oneOf(r, "<", "", "<<")
                + oneOf(r, "", "@relay.example:", "@a,@b:", "@:", "@x") + local + oneOf(r, "@", "", "@@") + domain
                + oneOf(r, ">", "", ">>", "> ") + oneOf(r, "", " SIZE=100", " BODY=8BITMIME", " SMTPUTF8", " =x", " A=1 A=2",
                        " NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b", "  X-Y=\u0000");
    }
}
