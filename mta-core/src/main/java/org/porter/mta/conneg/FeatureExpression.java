package org.porter.mta.conneg;

import java.util.ArrayList;
import java.util.List;

/**
 * A media feature set predicate in the filter syntax of RFC 2533 section 4.1 (as Internet fax uses it,
 * RFC 2531/2879): a tree of {@code (& ...)}, {@code (| ...)}, {@code (! ...)}, comparisons
 * {@code (dpi=200)}, {@code (size-x<=2150/254)} and sets {@code (dpi-xyratio=[204/98,204/196])}, each
 * filter optionally followed by {@code ;q=0.5}-style parameters. Made only by {@link FilterParser};
 * {@link #toString} is the canonical text (one space between the filters of a list, none elsewhere),
 * which parses back to the same tree.
 */
public sealed interface FeatureExpression {

    /** Reads an expression; {@link org.porter.mta.api.InvalidRequestException} saying where and what is wrong. */
    static FeatureExpression parse(String text) {
        return new FilterParser(text).parseAll();
    }

    /** {@code (& f1 f2 ...)} or {@code (| f1 f2 ...)}. */
    record Junction(char op, List<FeatureExpression> filters, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("(").append(op);
            for (FeatureExpression f : filters) {
                b.append(' ').append(f);
            }
            return b.append(')').append(FeatureExpression.params(params)).toString();
        }
    }

    /** {@code (! filter)}. */
    record Not(FeatureExpression filter, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            return "(! " + filter + ")" + FeatureExpression.params(params);
        }
    }

    /** {@code (attr=value)}, {@code (attr>=number)}, {@code (attr<=number)}. */
    record Comparison(String attr, String op, String value, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            return "(" + attr + op + value + ")" + FeatureExpression.params(params);
        }
    }

    /** {@code (attr=[v1,lo..hi,...])}: each entry a value or a numeric range. */
    record SetOf(String attr, List<String> entries, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            return "(" + attr + "=[" + String.join(",", entries) + "])" + FeatureExpression.params(params);
        }
    }

    private static String params(List<String> params) {
        StringBuilder b = new StringBuilder();
        for (String p : params) {
            b.append(';').append(p);
        }
        return b.toString();
    }

    /**
     * The expression laid out one filter per line, as in RFC 4141 section 9.2's example: an {@code (&},
     * {@code (|} or {@code (!} carries its first filter on its own line, each further filter starts a
     * line indented two columns past the opening parenthesis, and " )" closes after the last one. Lines
     * are cut only between filters, where RFC 2533 section 4.1 allows white space, so the lines joined
     * with any white space are the expression again.
     */
    static List<String> layout(FeatureExpression e) {
        List<StringBuilder> lines = new ArrayList<>();
        lines.add(new StringBuilder());
        layout(e, 0, lines);
        return lines.stream().map(StringBuilder::toString).toList();
    }

    private static void layout(FeatureExpression e, int column, List<StringBuilder> lines) {
        List<FeatureExpression> inner;
        List<String> params;
        String open;
        switch (e) {
            case Junction j -> {
                open = "(" + j.op();
                inner = j.filters();
                params = j.params();
            }
            case Not n -> {
                open = "(!";
                inner = List.of(n.filter());
                params = n.params();
            }
            default -> {
                lines.getLast().append(e);
                return;
            }
        }
        lines.getLast().append(open);
        for (int i = 0; i < inner.size(); i++) {
            if (i > 0) {
                lines.add(new StringBuilder(" ".repeat(column + 2)));
            }
            layout(inner.get(i), column + 2, lines);
        }
        lines.getLast().append(" )").append(params(params));
    }
}
