package org.porter.dialer.modem;

import java.util.ArrayList;
import java.util.List;

/**
 * What differs between an analog modem and an ISDN terminal adapter in the AT dialog: the extra init
 * (the TA's MSN, {@code AT&E<msn>}) and the dial command ({@code ATDT}/{@code ATDP} on an analog
 * line, plain {@code ATD} on ISDN, which has no tone or pulse). Both answer {@code CONNECT <speed>}
 * ({@code CONNECT 64000} for one ISDN B channel).
 */
public sealed interface ModemDialect {

    /** The init commands to send after the configured ones. */
    List<String> extraInit();

    String dialCommand(String number);

    record Analog(boolean pulse) implements ModemDialect {
        @Override
        public List<String> extraInit() {
            return List.of();
        }

        @Override
        public String dialCommand(String number) {
            return (pulse ? "ATDP" : "ATDT") + number;
        }
    }

    /** An ISDN terminal adapter (ELSA, ZyXEL, Fritz!Card's TA emulation...): MSN by {@code AT&E}. */
    record IsdnTa(String msn) implements ModemDialect {
        @Override
        public List<String> extraInit() {
            List<String> out = new ArrayList<>();
            if (!msn.isEmpty()) {
                out.add("AT&E" + msn);
            }
            return out;
        }

        @Override
        public String dialCommand(String number) {
            return "ATD" + number;
        }
    }
}
