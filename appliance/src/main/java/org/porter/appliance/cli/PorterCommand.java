package org.porter.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** {@code porter}: the root of the command tree. */
@Command(name = "porter", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = PorterCommand.DESCRIPTION,
        subcommands = {ServeCommand.class, DomainCommand.class, UserCommand.class, AliasCommand.class,
                ConfigCommand.class, QueueCommand.class, DialCommand.class, EtrnCommand.class, FetchCommand.class,
                OdmrCommand.class, DeviceCommand.class, FaxCommand.class, BackupCommand.class, RestoreCommand.class,
                CheckCommand.class, StatusCommand.class, StoreCommand.class, UpgradeCommand.class, VersionCommand.class},
        footer = {"", PorterCommand.FOOTER})
public final class PorterCommand {
    /** The root's description and footer (subcommands inherit the footer), shared with {@link ServeRoot}. */
    static final String DESCRIPTION = "Porter, a mail server for a small office.";
    static final String FOOTER = "Commands other than serve work whether or not 'porter serve' runs on the same --data folder.";
}
