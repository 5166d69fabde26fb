package org.porter.mta.smtp.server;

import java.util.Locale;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandDispatcher;

/**
 * Checks a command line before it is dispatched: length (RFC 5321 4.5.3.1.4: 512 octets, plus the
 * RFC 1870/3461 allowance for MAIL and RCPT parameters) and bytes (7-bit printable only: NUL, bare
 * CR and 8-bit octets get a clear error instead of reaching a handler).
 */
public final class SmtpCommandDispatcher extends CommandDispatcher<SmtpSession> {
    static final int MAX_COMMAND_LINE = 512;
    static final int MAX_ENVELOPE_LINE = 512 + 1000;

    @Override
    public Response onLine(SmtpSession session, byte[] line) {
        session.touch();
        Response reply = check(session, line);
        if (reply != null && !reply.isEndSession() && isFailure(reply.getRetCode())
                && !(reply instanceof SmtpReply r && !r.countsAsError())
                && session.countError() >= session.context().settings().maxErrors()) {
            org.porter.mta.maillog.MailLog.tooManyErrors(session.clientLabel(), reply.getRetCode());
            return SmtpReply.of(421, "4.7.0", session.context().hostname() + " Error: too many errors").closing();
        }
        return reply;
    }

    /** A 4xx or 5xx code (not with String.matches: that compiles its expression again for every command). */
    static boolean isFailure(String code) {
        return code.length() == 3 && (code.charAt(0) == '4' || code.charAt(0) == '5') && digit(code.charAt(1))
                && digit(code.charAt(2));
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private Response check(SmtpSession session, byte[] line) {
        int end = line.length;
        if (end > 0 && line[end - 1] == '\n') {
            end--;
        }
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        if (end + 2 > MAX_COMMAND_LINE && (end + 2 > MAX_ENVELOPE_LINE || !isEnvelopeCommand(line, end))) {
            return Replies.LINE_TOO_LONG;
        }
        boolean eightBit = false;
        for (int i = 0; i < end; i++) {
            byte b = line[i];
            if (b < 0) {
                eightBit = true;
            } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return Replies.EIGHT_BIT;
            }
        }
        // RFC 6531: UTF-8 only in the addresses of MAIL and RCPT, and it must be valid UTF-8
        if (eightBit && (!isEnvelopeCommand(line, end) || !validUtf8(line, end))) {
            return Replies.EIGHT_BIT;
        }
        if (end == 0 || line[0] == ' ') {
            return Replies.SYNTAX;
        }
        return super.onLine(session, line);
    }

    private static boolean validUtf8(byte[] line, int end) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(line, 0, end));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static boolean isEnvelopeCommand(byte[] line, int end) {
        String head = new String(line, 0, Math.min(end, 5), java.nio.charset.StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        return head.startsWith("MAIL ") || head.startsWith("RCPT ");
    }
}
