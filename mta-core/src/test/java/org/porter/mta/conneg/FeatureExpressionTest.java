package org.porter.mta.conneg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.porter.mta.api.InvalidRequestException;

/** RFC 2533 filter syntax: what parses (and its canonical form), and what is refused with which words. */
class FeatureExpressionTest {

    /** An Internet fax's capabilities, as RFC 2531/2879 and the Panasonic DP series describe them. */
    static final String FAX = """
            (& (image-file-structure=TIFF-minimal)
               (MRC-mode=0)
               (color=Binary)
               (| (& (dpi=204) (dpi-xyratio=[204/98,204/196]))
                  (& (dpi=200) (dpi-xyratio=[200/100,1]))
                  (& (dpi=400) (dpi-xyratio=1)))
               (image-coding=[MH,MR,MMR])
               (paper-size=[A4,B4])
               (ua-media=stationery) )""";

    static List<String[]> valid() {
        return List.of(
                new String[] {FAX, "(& (image-file-structure=TIFF-minimal) (MRC-mode=0) (color=Binary)"
                        + " (| (& (dpi=204) (dpi-xyratio=[204/98,204/196])) (& (dpi=200) (dpi-xyratio=[200/100,1]))"
                        + " (& (dpi=400) (dpi-xyratio=1))) (image-coding=[MH,MR,MMR]) (paper-size=[A4,B4])"
                        + " (ua-media=stationery))"},
                new String[] {"(color=Binary)", "(color=Binary)"},
                new String[] {" ( dpi = 200 ) ", "(dpi=200)"},
                new String[] {"(size-x<=2150/254)", "(size-x<=2150/254)"},
                new String[] {"(pix-x>=+640)", "(pix-x>=640)"},
                new String[] {"(temperature<=-5)", "(temperature<=-5)"},
                new String[] {"(dpi=[100..400,600])", "(dpi=[100..400,600])"},
                new String[] {"(dpi=[ 100 .. 400 ])", "(dpi=[100..400])"},
                new String[] {"(! (color=Full))", "(! (color=Full))"},
                new String[] {"(!(color=Full))", "(! (color=Full))"},
                new String[] {"(| (paper-size=A4);q=0.8 (paper-size=letter);q=1.0)",
                        "(| (paper-size=A4);q=0.8 (paper-size=letter);q=1.0)"},
                new String[] {"(& (grey=TRUE) (type=\"image/tiff (f)\"))", "(& (grey=TRUE) (type=\"image/tiff (f)\"))"},
                new String[] {"(urn:ietf:params:conneg:ua-media=screen)", "(urn:ietf:params:conneg:ua-media=screen)"},
                new String[] {"(&(a=1)(|(b=2)(c=3)))", "(& (a=1) (| (b=2) (c=3)))"},
                // RFC 2533 4.2.2: <= and >= may take tokens (they then amount to equality)
                new String[] {"(paper-size<=A4)", "(paper-size<=A4)"},
                // 4.1's string has no escapes: a backslash is an ordinary character
                new String[] {"(t=\"C:\\fax\")", "(t=\"C:\\fax\")"},
                new String[] {"(color=true)", "(color=true)"});
    }

    @ParameterizedTest
    @MethodSource("valid")
    void validExpressionsParseToTheirCanonicalForm(String text, String canonical) {
        FeatureExpression e = FeatureExpression.parse(text);
        assertThat(e.toString()).isEqualTo(canonical);
        assertThat(FeatureExpression.parse(canonical)).as("the canonical form parses to the same tree").isEqualTo(e);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '\'', value = {
        "'' => empty feature expression",
        "color=Binary => expected '(' to start a filter at character 1",
        "(color=Binary => expected ')' to close (color=Binary at the end",
        "(color=Binary)) => unexpected text after the expression at character 15",
        "(& ) => expected at least one '(' filter after & or | at character 4",
        "(&) => expected at least one '(' filter after & or | at character 3",
        "(| (a=1) b=2) => expected ')' to close the | filter at character 10",
        "(! ) => expected '(' to start a filter at character 4",
        "(! (a=1) (b=2)) => expected ')' to close the ! filter at character 10",
        "(=1) => expected a feature tag",
        "(dpi 200) => expected =, >= or <= after dpi at character 6",
        "(dpi=) => expected a value (number, token or \"string\") at character 6",
        "(dpi=200 300) => expected ')' to close (dpi=200 at character 10",
        "(t=\"a\\\"b\") => expected ')' to close (t=\"a\\\" at character 8",
        "(paper-size=A_4) => expected ')' to close (paper-size=A at character 14",
        "(ua-media=stationery.x) => expected ')' to close (ua-media=stationery at character 21",
        "(name=tiff+fx) => expected ')' to close (name=tiff at character 11",
        "(dpi<=[100,200]) => expected a value",
        "(dpi=[100,]) => expected a value",
        "(dpi=[100 200]) => expected ',' or ']' in the set of dpi at character 11",
        "(dpi=[400..100]) => a range goes from low to high, not 400..100",
        "(paper=[A4..B4]) => a range is between two numbers, not A4..B4",
        "(ratio=1/0) => a rational's denominator must not be 0",
        "(ratio=1/) => expected the denominator's digits after '/'",
        "(size=2.54) => decimal fractions are written as rationals",
        "(type=\"open) => a quoted string is not closed",
        "(a=1);q=2 => q must be between 0 and 1 with at most 3 decimals, not 2",
        "(a=1);q=0.12345 => q must be between 0 and 1",
        "(a=1);=3 => expected a parameter name after ';'",
        "(a=1) (b=2) => unexpected text after the expression at character 7"})
    void invalidExpressionsAreRefusedSayingWhereAndWhat(String text, String message) {
        assertThatThrownBy(() -> FeatureExpression.parse(text)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(message);
    }

    @Test
    void nestingAndLengthAreBounded() {
        String deep = "(&".repeat(40) + "(a=1)" + ")".repeat(40);
        assertThatThrownBy(() -> FeatureExpression.parse(deep)).hasMessageContaining("nested deeper than 32");
        String ok = "(&".repeat(30) + "(a=1)" + ")".repeat(30);
        assertThat(FeatureExpression.parse(ok)).isNotNull();
        String longOne = "(& " + "(a=1) ".repeat(700) + ")";
        assertThatThrownBy(() -> FeatureExpression.parse(longOne)).hasMessageContaining("too long");
    }

    @Test
    void aSingleComparisonMustFitAReplyLine() {
        String set = "(paper-size=[" + "A4,".repeat(150) + "A4])";
        assertThatThrownBy(() -> FeatureExpression.parse("(& (a=1) " + set + ")"))
                .hasMessageContaining("one comparison longer than 400 characters").hasMessageContaining("at character 11");
    }

    /** RFC 4141 section 9.2's expression comes out on the lines of its example, character for character. */
    @Test
    void layoutIsTheOneOfRfc4141sExample() {
        FeatureExpression e = FeatureExpression.parse(RFC4141_EXAMPLE);
        assertThat(FeatureExpression.layout(e)).containsExactly(
                "(&(image-file-structure=TIFF-minimal)",
                "  (MRC-mode=0)",
                "  (color=Binary)",
                "  (|(&(dpi=204)",
                "      (dpi-xyratio=[204/98,204/196]) )",
                "    (&(dpi=200)",
                "      (dpi-xyratio=[200/100,1]) ) )",
                "  (image-coding=[MH,MR,MMR])",
                "  (size-x<=2150/254)",
                "  (paper-size=[letter,A4])",
                "  (ua-media=stationery) )");
        assertThat(FeatureExpression.parse(String.join("\r\n", FeatureExpression.layout(e)))).isEqualTo(e);
        assertThat(FeatureExpression.layout(FeatureExpression.parse("(| (a=1);q=0.5 (! (b=2)));q=1")))
                .containsExactly("(|(a=1);q=0.5", "  (!(b=2) ) );q=1");
        assertThat(FeatureExpression.layout(FeatureExpression.parse("(t=\"a b\")"))).containsExactly("(t=\"a b\")");
    }

    static final String RFC4141_EXAMPLE = "(&(image-file-structure=TIFF-minimal)(MRC-mode=0)(color=Binary)"
            + "(|(&(dpi=204)(dpi-xyratio=[204/98,204/196]))(&(dpi=200)(dpi-xyratio=[200/100,1])))"
            + "(image-coding=[MH,MR,MMR])(size-x<=2150/254)(paper-size=[letter,A4])(ua-media=stationery))";
}
