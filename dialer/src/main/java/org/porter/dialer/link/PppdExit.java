package org.porter.dialer.link;

/** pppd's exit status, per pppd(8) "EXIT STATUS", as a sentence for the owner and a call-log word. */
public final class PppdExit {
    private PppdExit() {
    }

    public static String describe(int code) {
        return switch (code) {
            case 0 -> "pppd ended normally (the ISP ended the connection)";
            case 1 -> "pppd hit an immediately fatal error (see porter.log)";
            case 2 -> "pppd rejected its options (a Porter bug or an unusual pppd: see porter.log)";
            case 3 -> "pppd is not setuid-root and Porter does not run as root";
            case 4 -> "the kernel has no PPP support (modprobe ppp_async)";
            case 5 -> "pppd was stopped by a signal (hang-up)";
            case 6 -> "the serial port is locked by another program";
            case 7 -> "the serial port could not be opened";
            case 8 -> "pppd's connect script failed";
            case 9 -> "pppd's pty command could not be run";
            case 10 -> "PPP negotiation with the ISP failed";
            case 11 -> "the ISP refused to authenticate itself";
            case 12 -> "the link was idle and pppd ended it";
            case 13 -> "the connect time limit was reached (dial.max-seconds)";
            case 14 -> "callback was negotiated";
            case 15 -> "the ISP stopped answering (LCP echo requests unanswered)";
            case 16 -> "the modem hung up (the line dropped)";
            case 17 -> "PPP loopback detected: the modem is talking to itself";
            case 18 -> "pppd's init script failed";
            case 19 -> "the ISP refused our login: check ppp.user and ppp.password";
            default -> "pppd ended with status " + code;
        };
    }

    /** The call log's word for an exit during a call. */
    public static String outcome(int code) {
        return switch (code) {
            case 0, 5 -> "ok";
            case 13 -> "max-time";
            case 15, 16 -> "line-dropped";
            case 11, 19 -> "auth-failed";
            default -> "ppp-failed";
        };
    }
}
