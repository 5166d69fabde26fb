package org.porter.mta.api;

/**
 * What the ISP answered to one {@code ETRN} argument, with the sentence the owner reads. RFC 1985
 * replies: 250 (queuing started), 251 (no messages waiting), 252/253 (pending messages, 253 with a
 * count), 458 (unable to queue now), 459 (node not allowed), 500/502 (ETRN not known / disabled),
 * 501 (syntax). Real servers differ (Postfix says 250 even when nothing is queued), so only
 * "accepted or not" is used to decide anything, never 251-253's detail.
 */
public record EtrnOutcome(String argument, int code, String reply, Kind kind, String message) {

    public enum Kind {
        /** 250-253: the ISP will (or has nothing to) deliver. */
        ACCEPTED,
        /** 458 or another 4xx: try again later. */
        TEMPORARY,
        /** 459 or another 5xx for this argument: the ISP will not deliver this domain on request. */
        REFUSED,
        /** 500 / 502: the ISP's server does not do ETRN at all. */
        NOT_SUPPORTED,
        /** 501: the ISP did not understand the argument (perhaps it wants the #queue or @domain form). */
        SYNTAX,
        /** No answer: the connection failed. */
        NO_ANSWER
    }

    public boolean accepted() {
        return kind == Kind.ACCEPTED;
    }

    /** Maps one reply (code and full text, e.g. "459 4.7.1 <x>: service unavailable"). */
    public static EtrnOutcome of(String argument, int code, String reply) {
        Kind kind;
        String message;
        switch (code) {
            case 250 -> {
                kind = Kind.ACCEPTED;
                message = "the ISP started delivering " + argument + ": " + reply;
            }
            case 251 -> {
                kind = Kind.ACCEPTED;
                message = "the ISP has no mail waiting for " + argument + ": " + reply;
            }
            case 252, 253 -> {
                kind = Kind.ACCEPTED;
                message = "the ISP has mail waiting for " + argument + " and starts delivering it: " + reply;
            }
            case 458 -> {
                kind = Kind.TEMPORARY;
                message = "your ISP cannot deliver " + argument + " right now (it will if asked again later): " + reply;
            }
            case 459 -> {
                kind = Kind.REFUSED;
                message = "your ISP did not accept ETRN for " + argument + ": " + reply
                        + " (ask your ISP to hold mail for this domain, or check etrn.domains)";
            }
            case 500, 502 -> {
                kind = Kind.NOT_SUPPORTED;
                message = "your ISP's server does not accept ETRN at all: " + reply
                        + " (ask your ISP to enable it, or collect mail another way)";
            }
            case 501 -> {
                kind = Kind.SYNTAX;
                message = "your ISP did not understand ETRN " + argument + ": " + reply
                        + " (it may want the @domain or #queue form: see etrn.domains)";
            }
            default -> {
                if (code >= 400 && code < 500) {
                    kind = Kind.TEMPORARY;
                    message = "your ISP did not accept ETRN for " + argument + " for now: " + reply;
                } else if (code >= 500 && code < 600) {
                    kind = Kind.REFUSED;
                    message = "your ISP did not accept ETRN for " + argument + ": " + reply;
                } else {
                    kind = Kind.REFUSED;
                    message = "your ISP gave an unexpected answer to ETRN " + argument + ": " + reply;
                }
            }
        }
        return new EtrnOutcome(argument, code, reply, kind, message);
    }

    public static EtrnOutcome noAnswer(String argument, String why) {
        return new EtrnOutcome(argument, 0, "", Kind.NO_ANSWER, "ETRN for " + argument + " was not sent: " + why);
    }
}
