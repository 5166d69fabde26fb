package org.porter.mta.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The profile of the whole office network: the built-in entry that {@code porter device list} and
 * the admin's device page show above the registered devices. It is not stored anywhere of its own:
 * it is read from the settings each time ({@link #of}), so it is always exactly what SMTP applies
 * ({@link MtaSettingKeys#RELAY_NETWORKS}: may relay without authentication; {@link
 * MtaSettingKeys#MAX_MESSAGE_SIZE}: the size limit), and it is changed by changing that setting.
 *
 * @param networks the relay networks
 * @param maxSize  the normal size limit, in octets
 */
public record OfficeNetwork(List<Cidr> networks, long maxSize) {

    /** The setting that is this profile. */
    public static final String SETTING = MtaSettingKeys.RELAY_NETWORKS;

    public OfficeNetwork {
        networks = List.copyOf(networks);
    }

    /** The profile as the settings have it now. */
    public static OfficeNetwork of(Settings settings) {
        return new OfficeNetwork(Cidr.parseList(settings.get(MtaSettingKeys.RELAY_NETWORKS)),
                Values.parseSize(settings.get(MtaSettingKeys.MAX_MESSAGE_SIZE)));
    }

    /** "192.168.1.0/24, 10.0.0.0/8". */
    public String networksText() {
        return networks.stream().map(Cidr::toString).collect(Collectors.joining(", "));
    }

    /** "Office network (all of 192.168.1.0/24): may send out without a password". */
    public String summary() {
        return "Office network (all of " + networksText() + "): may send out without a password";
    }
}
