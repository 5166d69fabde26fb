package org.porter.mta.conneg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.mta.testing.Generated.forAll;
import static org.porter.mta.testing.Generated.oneOf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.testing.Generated;

/**
 * Issue 14, hostile input: the CONNEG feature-expression parser ({@link FilterParser}) over generated
 * text. Anything is either an expression or a refusal with a message ({@link InvalidRequestException}),
 * never another exception or a stack overflow; what parses prints as canonical text that parses back
 * to itself. Fed text made of the grammar's own characters (so that deep and almost-valid
 * expressions come up), any Unicode text, and expressions built from the grammar.
 */
class FilterParserPropertyTest {

    @Test
    void anyTextIsAnExpressionOrARefusal() throws Exception {
        forAll(3000, r -> check(Generated.string(r, "()&|!=<>[],.;\"\\ -+/0123456789abqxyzTRUEfalse", 80)));
        forAll(1000, r -> check(Generated.unicode(r, 40)));
        forAll(20, r -> check("(".repeat(r.nextInt(3900)) + "(a=1)"));
    }

    @Test
    void builtExpressionsParseAndPrintCanonically() throws Exception {
        forAll(2000, r -> {
            String text = filter(r, 4);
            FeatureExpression e = FeatureExpression.parse(text);
            assertThat(FeatureExpression.parse(e.toString()).toString()).as(text).isEqualTo(e.toString());
        });
    }

    static void check(String text) {
        FeatureExpression e;
        try {
            e = FeatureExpression.parse(text);
        } catch (InvalidRequestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        String canonical = e.toString();
        assertThat(FeatureExpression.parse(canonical).toString()).as("canonical text of " + text).isEqualTo(canonical);
    }

    private static String number(Random r) {
        return r.nextBoolean() ? String.valueOf(r.nextInt(2001) - 1000) : (1 + r.nextInt(99)) + "/" + (1 + r.nextInt(7));
    }

    private static String value(Random r) {
        return r.nextInt(3) == 0 ? number(r) : oneOf(r, "TRUE", "FALSE", "Binary", "A4", "\"a b\"", "\"q\\x\"");
    }

    private static String filter(Random r, int depth) {
        String attr = oneOf(r, "color", "dpi", "paper-size", "ua-media", "grey", "x-y");
        int kind = depth == 0 ? r.nextInt(2) : r.nextInt(6);
        return switch (kind) {
            case 0 -> {
                String op = oneOf(r, "=", ">=", "<=");
                yield "(" + attr + op + (op.equals("=") ? value(r) : number(r)) + ")";
            }
            case 1 -> {
                List<String> vs = new ArrayList<>();
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    vs.add(value(r));
                }
                yield "(" + attr + "=[" + String.join(",", vs) + "])";
            }
            case 2, 3, 4 -> {
                List<String> fs = new ArrayList<>();
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    fs.add(filter(r, depth - 1));
                }
                yield "(" + oneOf(r, "&", "|") + " " + String.join(" ", fs) + ")" + oneOf(r, "", ";q=0.5", ";q=1");
            }
            default -> "(!" + filter(r, depth - 1) + ")";
        };
    }
}
