package org.porter.appliance.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * {@code porter} with {@code serve} as its only command: the tree {@link Cli#run} builds when the command line
 * starts with {@code serve}. picocli builds a tree by reflection over every command class in it, about 0.2 s
 * of CPU on the start-up's path to the SMTP banner for the whole tree (issue 13); serve needs none of the
 * others. The same name, standard options and footer (which serve inherits) as {@link PorterCommand}, so serve's help
 * and errors read the same.
 */
@Command(name = "porter", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class, description = PorterCommand.DESCRIPTION,
        subcommands = {ServeCommand.class}, footer = {"", PorterCommand.FOOTER})
final class ServeRoot {
}
