package org.porter.mta.conneg;

import java.util.List;
import java.util.Optional;

import org.porter.mta.api.FaxCapabilities;
import org.porter.mta.message.Addresses;
import org.porter.mta.store.FaxStore;

/** {@link FaxCapabilities} over the store: every expression is parsed (RFC 2533) before it is kept. */
public final class FaxDirectory implements FaxCapabilities {
    private final FaxStore store;

    public FaxDirectory(FaxStore store) {
        this.store = store;
    }

    @Override
    public String set(String address, String expression) {
        String a = Addresses.mailbox(address);
        String canonical = FeatureExpression.parse(expression).toString();
        store.put(a, canonical);
        return canonical;
    }

    @Override
    public Optional<String> forAddress(String address) {
        return store.get(address.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public List<Entry> list() {
        return store.list();
    }

    @Override
    public void remove(String address) {
        store.remove(Addresses.mailbox(address));
    }
}
