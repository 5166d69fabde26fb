package org.porter.mta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.mta.testing.Generated.forAll;
import static org.porter.mta.testing.Generated.oneOf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.backup.BackupSettings;
import org.porter.mta.testing.Generated;

/**
 * Issue 14, hostile input: every setting of the mail core, through its value parser (the shared
 * {@link org.porter.mta.api.Values} ones), over generated text. A value is taken (normalised) or
 * refused with a message ({@link InvalidRequestException}), never another exception; and what is
 * stored is its own normal form (set it again and nothing changes), which {@code porter config get}
 * and the admin's forms rely on.
 */
class SettingValuesPropertyTest {
    static final List<SettingDef> ALL = all();
    private static final List<String> EXAMPLES = examples();

    private static List<SettingDef> all() {
        List<SettingDef> defs = new ArrayList<>(MtaSettings.definitions());
        defs.addAll(DeliverySettings.definitions());
        defs.addAll(BackupSettings.definitions());
        defs.addAll(OdmrSettings.definitions());
        return List.copyOf(defs);
    }

    private static List<String> examples() {
        List<String> out = new ArrayList<>();
        ALL.forEach(d -> {
            out.addAll(d.examples());
            out.add(d.defaultValue());
        });
        return out;
    }

    @Test
    void everyValueIsTakenInItsNormalFormOrRefused() throws Exception {
        forAll(5000, r -> {
            takenInNormalFormOrRefused(oneOf(r, ALL), value(r));
        });
    }

    /** The property, for generated values here and fuzzed ones ({@link SettingValuesFuzzTest}). */
    static void takenInNormalFormOrRefused(SettingDef def, String value) {
        String stored;
        try {
            stored = def.parser().apply(value);
        } catch (InvalidRequestException refused) {
            assertThat(refused.getMessage()).as(def.key() + " = " + value).isNotBlank();
            return;
        }
        assertThat(stored).as(def.key() + " = " + value).isNotNull();
        assertThat(def.parser().apply(stored)).as(def.key() + ": the stored form of '" + value + "' set again")
                .isEqualTo(stored);
    }

    /** Found by the property: a file setting given a name with a NUL threw InvalidPathException. */
    @Test
    void aFileNameWithANulIsRefusedWithAMessage() {
        for (SettingDef def : ALL) {
            try {
                def.parser().apply("/tmp/a\u0000b");
            } catch (InvalidRequestException refused) {
                assertThat(refused.getMessage()).as(def.key()).isNotBlank();
            }
        }
    }

    private static String value(Random r) {
        String e = oneOf(r, EXAMPLES);
        char c = "0 9,:.-[]@/kmgKMGsmhd\u0000é".charAt(r.nextInt(21));
        return switch (r.nextInt(12)) {
            case 0 -> e.substring(0, e.length() / 2); // examples bent a little
            case 1 -> e + e;
            case 2 -> " " + e + " ";
            case 3 -> e.toUpperCase(Locale.ROOT);
            case 4 -> e.isEmpty() ? String.valueOf(c) : e.substring(1) + c;
            case 5 -> e + "," + e;
            case 6 -> c + e;
            case 7 -> Generated.string(r, "0123456789kmgKMGsmhd :,.-", 24);
            case 8 -> Generated.unicode(r, 30);
            case 9 -> oneOf(r, "99999999999999999999", "-1", "0", "1e3", "0x10", "  ", "NaN", "9223372036854775808K",
                    "999999999999999G", "0ms", "2147483648s");
            default -> e;
        };
    }
}
