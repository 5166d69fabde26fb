package org.porter.appliance.cli;

import org.porter.mta.api.Mta;

/**
 * An {@link Mta} lent to one command. Closing the lease closes the Mta only when the command opened it
 * itself (no server running); a running server's Mta stays open.
 */
public interface MtaLease extends AutoCloseable {
    Mta mta();

    @Override
    void close();
}
