package org.porter.mta.routing;

import java.util.List;
import java.util.Optional;

/** The lookups routing needs; addresses are lower-case {@code local@domain}. */
public interface DirectoryView {
    boolean isLocalDomain(String domain);

    Optional<Long> userId(String address);

    /** The targets of an alias, empty when {@code address} is no alias. */
    List<String> aliasTargets(String address);
}
