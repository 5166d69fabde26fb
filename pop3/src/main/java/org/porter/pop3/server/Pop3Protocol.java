package org.porter.pop3.server;

import java.util.concurrent.Executor;

import org.apache.james.protocols.api.ProtocolConfiguration;
import org.apache.james.protocols.api.ProtocolImpl;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.handler.ProtocolHandlerChain;

/** The POP3 protocol for the framework: the handler chain and a {@link Pop3Session} per connection. */
public final class Pop3Protocol extends ProtocolImpl {
    private final Pop3Context context;
    private final Executor worker;

    /** @param worker runs the commands that may block, off the connections' I/O threads */
    public Pop3Protocol(ProtocolHandlerChain chain, Pop3Context context, Executor worker) {
        super(chain, configuration(context.hostname()));
        this.context = context;
        this.worker = worker;
    }

    @Override
    public String getName() {
        return "POP3";
    }

    @Override
    public ProtocolSession newSession(ProtocolTransport transport) {
        return new Pop3Session(transport, getConfiguration(), context, worker);
    }

    private static ProtocolConfiguration configuration(String hostname) {
        return new ProtocolConfiguration() {
            @Override
            public String getGreeting() {
                return null;
            }

            @Override
            public String getSoftwareName() {
                return "Porter";
            }

            @Override
            public String getHelloName() {
                return hostname;
            }
        };
    }
}
