package org.porter.mta.fetch;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;

/**
 * Who a message in a multidrop mailbox was for: the envelope recipient the ISP's server recorded when
 * it delivered into the shared mailbox, the SMTP RCPT TO that the message's own headers may not show
 * (a Bcc, a list). Read in fetchmail's order of trust: Delivered-To, X-Original-To, X-Envelope-To,
 * Envelope-To, then the {@code for <addr>} clause of the top Received header (the ISP's own); only when
 * none of these is there, the To/Cc/Bcc addresses in local domains.
 */
final class EnvelopeRecipients {
    static final List<String> ENVELOPE_HEADERS = List.of("Delivered-To", "X-Original-To", "X-Envelope-To", "Envelope-To");
    private static final Pattern FOR_CLAUSE = Pattern.compile("\\bfor\\s+<?([^\\s<>;]+@[^\\s<>;]+?)>?\\s*(;|$)",
            Pattern.CASE_INSENSITIVE);

    private EnvelopeRecipients() {
    }

    /** What was found and from which header, for the log. */
    record Found(List<String> addresses, String from) {
    }

    /**
     * @param envelope "auto" or one header's name in lower case ({@code received} for the Received clause)
     * @param local    whether an address is in one of the office's domains
     */
    static Found find(HeaderBlock head, String envelope, Predicate<String> local) {
        List<String> order = new ArrayList<>();
        if (envelope.equals("auto")) {
            order.addAll(ENVELOPE_HEADERS);
            order.add("received");
        } else {
            order.add(envelope);
        }
        for (String name : order) {
            List<String> got = name.equals("received") ? receivedFor(head) : envelopeHeader(head, name);
            if (!got.isEmpty()) {
                return new Found(got.stream().filter(local).toList(), name);
            }
        }
        Set<String> fromHeaders = new LinkedHashSet<>();
        for (String name : List.of("To", "Cc", "Bcc")) {
            for (HeaderBlock.Field f : head.all(name)) {
                fromHeaders.addAll(addresses(f.value()));
            }
        }
        return new Found(fromHeaders.stream().filter(local).toList(), "To/Cc/Bcc");
    }

    /** The first such header (the ISP's delivery adds it at the top); one address in it. */
    private static List<String> envelopeHeader(HeaderBlock head, String name) {
        HeaderBlock.Field f = head.first(name);
        if (f == null) {
            return List.of();
        }
        List<String> a = addresses(f.value());
        return a.isEmpty() ? List.of() : List.of(a.get(0));
    }

    /** The for-clause of the top Received header: the ISP's server's record of the envelope recipient. */
    private static List<String> receivedFor(HeaderBlock head) {
        HeaderBlock.Field top = head.first("Received");
        if (top == null) {
            return List.of();
        }
        Matcher m = FOR_CLAUSE.matcher(top.value());
        return m.find() ? List.of(HeaderBlock.lower(m.group(1))) : List.of();
    }

    /** Mailbox addresses in an address-list header; unparsable text gives none. */
    static List<String> addresses(String value) {
        List<String> out = new ArrayList<>();
        try {
            for (Address a : DefaultAddressParser.DEFAULT.parseAddressList(value)) {
                if (a instanceof Mailbox m) {
                    add(out, m);
                } else if (a instanceof Group g) {
                    g.getMailboxes().forEach(m -> add(out, m));
                }
            }
        } catch (ParseException | RuntimeException e) {
            // a header we cannot read names nobody we can trust
        }
        return out;
    }

    private static void add(List<String> out, Mailbox m) {
        if (m.getLocalPart() != null && m.getDomain() != null) {
            out.add(HeaderBlock.lower(m.getLocalPart() + "@" + m.getDomain()));
        }
    }
}
