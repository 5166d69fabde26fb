package org.porter.webadmin.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Support access as the owner sets it in the admin, kept in {@code DATA/support/}: {@code authorized_key}
 * (the one support key, a line of authorized_keys) and {@code state} ({@code on} or {@code off}). Porter
 * only writes these files; on the appliance a root unit watching the folder ({@code porter-support.path})
 * installs the key for the user {@code support} and starts or stops an SSH server that takes that key
 * and nothing else, and writes what it did into {@code applied} (shown on the page). So Porter itself
 * never needs root. Each file is replaced by a rename: the watcher never reads half a file.
 */
public final class SupportAccess {
    private final Path dir;

    public SupportAccess(Path dataDir) {
        this.dir = dataDir.resolve("support");
    }

    public Optional<SupportKey> key() {
        return read("authorized_key").map(SupportKey::parse);
    }

    public boolean enabled() {
        return read("state").map("on"::equals).orElse(false);
    }

    /** What the box's watcher last reported (one line), when there is one (not in development). */
    public Optional<String> applied() {
        return read("applied");
    }

    /** Stores {@code key} as the only support key (support access keeps its on/off state). */
    public void setKey(SupportKey key) {
        write("authorized_key", key.line());
        write("state", enabled() ? "on" : "off");      // a change the watcher sees even when only the key changed
    }

    /** Turns support access on; refused without a key. */
    public void enable() {
        if (key().isEmpty()) {
            throw new org.porter.mta.api.InvalidRequestException("Add the support person's key first.");
        }
        write("state", "on");
    }

    public void disable() {
        write("state", "off");
    }

    /** Removes the key, and with it support access. */
    public void removeKey() {
        write("state", "off");
        try {
            Files.deleteIfExists(dir.resolve("authorized_key"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write("state", "off");
    }

    private Optional<String> read(String name) {
        try {
            String s = Files.readString(dir.resolve(name), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String name, String content) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
            Files.writeString(tmp, content + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
