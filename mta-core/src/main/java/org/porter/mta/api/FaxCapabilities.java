package org.porter.mta.api;

import java.util.List;
import java.util.Optional;

/**
 * What Internet fax recipients can take (RFC 4141 CONNEG): per address, an RFC 2533 feature
 * expression such as {@code (& (image-file-structure=TIFF-minimal) (color=Binary) (dpi=[200,400])
 * (paper-size=A4))}. SMTP answers {@code RCPT TO:<address> CONNEG} with it, so a sending fax machine
 * can choose a form the receiving one handles. Porter converts nothing itself (no CONPERM).
 */
public interface FaxCapabilities {

    /** One recipient and its expression (canonical form). */
    record Entry(String address, String expression) {
    }

    /**
     * Sets (or replaces) an address's capabilities. The expression must be RFC 2533 filter syntax; it
     * is kept in its canonical form, which is returned. {@link InvalidRequestException} saying what and
     * where when it is not, or when the address is malformed; nothing is changed then.
     */
    String set(String address, String expression);

    /** The address's expression, if it has one. */
    Optional<String> forAddress(String address);

    List<Entry> list();

    /** Removes an address's capabilities; refuses an address that has none. */
    void remove(String address);
}
