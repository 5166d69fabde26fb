package org.porter.pop3.command;

import java.util.List;

import org.apache.james.protocols.api.handler.ProtocolHandler;

/** Every POP3 command handler, for the server's handler chain. Handlers are stateless and shared. */
public final class Pop3Commands {
    private Pop3Commands() {
    }

    public static List<ProtocolHandler> all() {
        return List.of(
                new UserCommand(), new PassCommand(), new AuthCommand(), new ApopCommand(), new StlsCommand(),
                new StatCommand(), new ListCommand(), new UidlCommand(), new RetrCommand(), new TopCommand(),
                new DeleCommand(), new RsetCommand(), new NoopCommand(),
                new QuitCommand(), new CapaCommand(), new UnknownCommand());
    }
}
