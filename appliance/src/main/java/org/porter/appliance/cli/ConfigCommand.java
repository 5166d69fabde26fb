package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.Settings.Setting;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Postfix's postconf, for Porter: every key has a default; only changed values are stored. */
@Command(name = "config", description = "Show and change settings.",
        subcommands = {ConfigCommand.ListSettings.class, ConfigCommand.Get.class, ConfigCommand.Set.class,
                ConfigCommand.Reset.class})
public final class ConfigCommand {

    /** How a value is shown: secrets never are, only whether they are set. */
    static String shown(Setting s) {
        if (s.secret()) {
            return s.value().isEmpty() ? "(unset)" : "(set)";
        }
        return s.value();
    }

    @Command(name = "list", description = "List settings as 'key = value'.")
    static final class ListSettings extends AdminCommand {
        @Option(names = "--changed", description = "Only the settings that differ from their default.")
        boolean changedOnly;

        @Option(names = "--markdown", description = "A Markdown table of every key with its default and meaning "
                + "(as in the README).")
        boolean markdown;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            if (markdown) {
                out.println("| Key | Default | Examples | Meaning |");
                out.println("|---|---|---|---|");
            }
            for (Setting s : mta.settings().list()) {
                if (changedOnly && !s.changed()) {
                    continue;
                }
                if (markdown) {
                    String examples = String.join(", ", s.examples().stream().map(ListSettings::code).toList());
                    out.println("| `" + s.key() + "` | " + code(s.defaultValue()) + " | " + examples + " | "
                            + s.description().replace("|", "\\|") + (s.secret() ? " (secret)" : "") + " |");
                } else {
                    out.println(s.key() + " = " + shown(s));
                }
            }
            return 0;
        }

        /** A value as Markdown code; the empty one in words. */
        private static String code(String value) {
            return value.isEmpty() ? "(empty)" : "`" + value.replace("|", "\\|") + "`";
        }
    }

    @Command(name = "get", description = "Print one setting's value.")
    static final class Get extends AdminCommand {
        @Parameters(paramLabel = "KEY")
        String key;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            String value = mta.settings().get(key);
            for (Setting s : mta.settings().list()) {
                if (s.key().equals(key)) {
                    out.println(shown(s));
                    return 0;
                }
            }
            out.println(value);
            return 0;
        }
    }

    @Command(name = "set", description = {"Validate and store values; they take effect at once.",
            "Several pairs are set together: when one is refused, none is changed."})
    static final class Set extends AdminCommand {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Parameters(index = "2..*", paramLabel = "KEY VALUE", description = "More pairs.")
        List<String> more = new ArrayList<>();

        @Override
        protected int run(Mta mta, PrintWriter out) {
            if (more.size() % 2 != 0) {
                throw new InvalidRequestException("no value for " + more.get(more.size() - 1));
            }
            Map<String, String> values = new LinkedHashMap<>();
            values.put(key, value);
            for (int i = 0; i < more.size(); i += 2) {
                values.put(more.get(i), more.get(i + 1));
            }
            mta.settings().setAll(values); // all or none
            return 0;
        }
    }

    @Command(name = "reset", description = "Forget a stored value, so the default applies again.")
    static final class Reset extends AdminCommand {
        @Parameters(paramLabel = "KEY")
        String key;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.settings().reset(key);
            return 0;
        }
    }
}
