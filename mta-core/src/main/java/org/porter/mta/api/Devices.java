package org.porter.mta.api;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The office's registered devices (scanners and MFPs that send scans by mail, Internet fax machines,
 * old RFC 821 clients): a profile per address or subnet that SMTP applies to connections from there.
 * Everyone else keeps the normal rules ({@code smtp.relay-networks}, {@code smtp.max-message-size}):
 * registering a device never opens the relay to anyone but that device.
 *
 * <p>SMTP looks a client's profile up once, when it connects: a change applies to the next connection.
 * Refusals are {@link InvalidRequestException}s whose message is shown to the user as is.
 */
public interface Devices {

    /** The size limit a device gets unless told otherwise: scans are big. */
    long DEFAULT_MAX_SIZE = 50L << 20;

    /** The largest limit a device may have (as {@code smtp.max-message-size}). */
    long LARGEST_MAX_SIZE = 2L * 1024 * 1024 * 1024 - 1;

    /**
     * One device.
     *
     * @param name    a short name: letters, digits, '-', '_' and '.', up to 64 (e.g. {@code mfp-2nd-floor})
     * @param network the device's address, or a subnet of devices ({@link Cidr})
     * @param relay   may send to any domain without AUTH (the MFP "exception list")
     * @param maxSize the largest message it may send, in octets; replaces {@code smtp.max-message-size} for it
     * @param lenientLineEndings message lines ending in a bare LF are taken and stored with CRLF
     *                (for old devices that send them); the end of data must still be CRLF "." CRLF
     * @param port    its own SMTP listener port (opened by {@code porter serve} at start; only devices
     *                registered for that port may connect there), 0 for none
     */
    record Device(String name, Cidr network, boolean relay, long maxSize, boolean lenientLineEndings, int port) {
        public Device {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new InvalidRequestException("a device name is 1 to 64 letters, digits, '.', '-' or '_'"
                        + " (starting with a letter or digit), not '" + name + "'");
            }
            if (network == null) {
                throw new InvalidRequestException("a device needs an address or subnet");
            }
            if (maxSize < 1024 || maxSize > LARGEST_MAX_SIZE) {
                throw new InvalidRequestException("a device's size limit must be between 1K and 2G, not " + maxSize);
            }
            if (port < 0 || port > 65535) {
                throw new InvalidRequestException("a port is 1 to 65535 (0: none), not " + port);
            }
        }

        /** Whether this profile is for {@code address}. */
        public boolean covers(InetAddress address) {
            return network.contains(address);
        }
    }

    /** Registers a device; refuses a name already taken or a network already registered under another name. */
    void add(Device device);

    /** Every device, by name. */
    List<Device> list();

    Optional<Device> find(String name);

    /** Removes a device; refuses an unknown name. */
    void remove(String name);

    /**
     * The profile that applies to a client: the registered network that contains it with the longest
     * prefix (a device's own address wins over its subnet's profile), or empty.
     */
    Optional<Device> forAddress(InetAddress address);
}
