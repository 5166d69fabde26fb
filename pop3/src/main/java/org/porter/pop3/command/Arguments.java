package org.porter.pop3.command;

import java.util.ArrayList;
import java.util.List;

import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.RejectException;
import org.porter.pop3.server.Replies;

/**
 * The space-separated arguments of a transaction command, and the one place that turns them into
 * message numbers and line counts with precise errors. Failures throw {@link RejectException}.
 */
final class Arguments {
    private static final int MAX_DIGITS = 9;

    private final List<String> tokens;

    private Arguments(List<String> tokens) {
        this.tokens = tokens;
    }

    /**
     * The tokens between runs of spaces, the ends trimmed (what {@code trim().split(" +")} gives,
     * without compiling a pattern at every RETR).
     */
    static Arguments of(String argument) {
        if (argument == null || argument.isBlank()) {
            return new Arguments(List.of());
        }
        String s = argument.trim();
        List<String> tokens = new ArrayList<>(2);
        for (int i = 0; i < s.length();) {
            int end = s.indexOf(' ', i);
            if (end < 0) {
                end = s.length();
            }
            if (end > i) {
                tokens.add(s.substring(i, end));
            }
            i = end + 1;
        }
        return new Arguments(tokens);
    }

    boolean isEmpty() {
        return tokens.isEmpty();
    }

    /** Refuses arguments beyond the first {@code count}. */
    Arguments atMost(int count) {
        if (tokens.size() > count) {
            throw new RejectException(Replies.TOO_MANY_ARGUMENTS);
        }
        return this;
    }

    /**
     * Argument {@code index} as a message number that exists in {@code drop} and is not marked as
     * deleted: "missing", "invalid" (not a decimal number), "start at 1", "no such message",
     * "already deleted".
     */
    int message(int index, Maildrop drop) {
        if (index >= tokens.size()) {
            throw new RejectException(Replies.MISSING_MESSAGE_NUMBER);
        }
        String token = tokens.get(index);
        if (!isDigits(token)) {
            throw new RejectException(Replies.INVALID_MESSAGE_NUMBER);
        }
        if (token.length() > MAX_DIGITS) {
            throw new RejectException(Replies.noSuchMessage(drop.size()));
        }
        int number = Integer.parseInt(token);
        if (number == 0) {
            throw new RejectException(Replies.MESSAGE_NUMBER_ZERO);
        }
        if (number > drop.size()) {
            throw new RejectException(Replies.noSuchMessage(drop.size()));
        }
        if (drop.isMarked(number)) {
            throw new RejectException(Replies.alreadyDeleted(number));
        }
        return number;
    }

    /** Argument {@code index} as a non-negative line count (TOP); very large counts mean "all". */
    long lineCount(int index) {
        if (index >= tokens.size()) {
            throw new RejectException(Replies.MISSING_LINE_COUNT);
        }
        String token = tokens.get(index);
        if (!isDigits(token)) {
            throw new RejectException(Replies.INVALID_LINE_COUNT);
        }
        return token.length() > 18 ? Long.MAX_VALUE : Long.parseLong(token);
    }

    private static boolean isDigits(String token) {
        if (token.isEmpty()) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
