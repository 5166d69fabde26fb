package org.porter.pop3.server;

import org.apache.james.protocols.api.handler.DisconnectHandler;

/**
 * Runs when the connection closes for any reason (QUIT, client drop, reset, idle timeout): releases
 * the maildrop lock and closes open message streams. Deletes nothing: only QUIT does.
 */
public final class SessionEndHandler implements DisconnectHandler<Pop3Session> {
    private final java.util.Set<Pop3Session> sessions;

    /** @param sessions the open sessions; a session is removed when it ends */
    public SessionEndHandler(java.util.Set<Pop3Session> sessions) {
        this.sessions = sessions;
    }

    @Override
    public void onDisconnect(Pop3Session session) {
        if (session == null) {
            return;
        }
        sessions.remove(session);
        Pop3Log.LOG.debug("connection closed for ip={}", session.clientIp());
        boolean withoutQuit = session.end();
        if (withoutQuit) {
            int marked = session.maildrop().map(drop -> drop.markedIds().size()).orElse(0);
            Pop3Log.LOG.info("dropped without QUIT user={} ip={} retrieved={} marked={} deleted=0",
                    session.address(), session.clientIp(), session.retrieved(), marked);
        }
    }
}
