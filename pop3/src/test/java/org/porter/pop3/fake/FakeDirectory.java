package org.porter.pop3.fake;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.porter.mta.api.Directory;

/** Users and passwords in memory; only what POP3 uses is implemented. */
public final class FakeDirectory implements Directory {
    private final Map<String, char[]> passwords = new ConcurrentHashMap<>();
    private final Map<String, String> apopSecrets = new ConcurrentHashMap<>();
    private final Map<String, Long> quotas = new ConcurrentHashMap<>();
    private volatile boolean broken;

    @Override
    public void addUser(String address, char[] password) {
        passwords.put(address.toLowerCase(Locale.ROOT), password.clone());
    }

    /** From now on every authenticate() throws, as a failed database would. */
    public void breakDown() {
        broken = true;
    }

    @Override
    public Optional<String> authenticate(String login, char[] password) {
        if (broken) {
            throw new IllegalStateException("database is down (secret detail)");
        }
        String lower = login.toLowerCase(Locale.ROOT);
        String key = lower;
        if (!lower.contains("@")) {
            List<String> matches = passwords.keySet().stream().filter(a -> a.startsWith(lower + "@")).toList();
            if (matches.size() != 1) {
                return Optional.empty();
            }
            key = matches.get(0);
        }
        char[] expected = passwords.get(key);
        return expected != null && Arrays.equals(expected, password) ? Optional.of(key) : Optional.empty();
    }

    @Override
    public void setApopSecret(String address, char[] secretOrNull) {
        if (secretOrNull == null) {
            apopSecrets.remove(address.toLowerCase(Locale.ROOT));
        } else {
            apopSecrets.put(address.toLowerCase(Locale.ROOT), new String(secretOrNull));
        }
    }

    @Override
    public Optional<String> authenticateApop(String login, String timestamp, String digestHex) {
        if (broken) {
            throw new IllegalStateException("database is down (secret detail)");
        }
        String key = login.toLowerCase(Locale.ROOT);
        String secret = apopSecrets.get(key);
        if (secret == null) {
            return Optional.empty();
        }
        try {
            byte[] md5 = java.security.MessageDigest.getInstance("MD5")
                    .digest((timestamp + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(md5).equalsIgnoreCase(digestHex) ? Optional.of(key) : Optional.empty();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void setQuota(String address, long bytesOrZeroForNone) {
        quotas.put(address.toLowerCase(Locale.ROOT), bytesOrZeroForNone);
    }

    @Override
    public void setPassword(String address, char[] password) {
        addUser(address, password);
    }

    @Override
    public void addDomain(String domain) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeDomain(String domain) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> domains() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isLocalDomain(String domain) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeUser(String address) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<UserInfo> users() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void addAlias(String alias, List<String> targets) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeAlias(String alias, List<String> targets) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<AliasInfo> aliases() {
        throw new UnsupportedOperationException();
    }
}
