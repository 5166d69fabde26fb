package org.porter.pop3.server;

/**
 * A command handler that can say, before it runs, that it will answer from what the session
 * already holds in memory: no store access, no password hash, no wait for a lock. Such a command
 * runs at once on the connection's I/O thread; any other runs on a worker while the connection
 * reads nothing more ({@link Pop3Dispatcher}). A handler that is not one of these always goes to
 * a worker, so saying nothing is the safe default.
 */
public interface FromMemory {

    /**
     * True when this command, with {@code argument} (null when none), answers without touching the
     * store or anything else that may block. It may also be true when the answer is an error.
     */
    boolean answersFromMemory(Pop3Session session, String argument);

    /** For commands that never need more than memory (STAT, LIST, DELE, CAPA, ...). */
    interface Always extends FromMemory {
        @Override
        default boolean answersFromMemory(Pop3Session session, String argument) {
            return true;
        }
    }
}
