package org.porter.dialer.session;

import java.time.Duration;

/** Waiting, injectable: tests advance a fake clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = Thread::sleep;
}
