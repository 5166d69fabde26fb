package org.porter.mta.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.porter.mta.store.Database;
import org.porter.mta.store.StoreLocation;

/**
 * The databases the store runs on, for tests that must hold on each (issue 18): the built-in Derby and a real
 * PostgreSQL, the JVM's {@link PostgresPeer#shared() shared server}, a new empty database per data folder.
 * <pre>
 *   &#64;ParameterizedClass(name = "on {0}")
 *   &#64;EnumSource(StoreEngine.class)
 *   class FooTest {
 *       &#64;Parameter StoreEngine engine;
 *       ... new TestMta(engine.dataFolder(tmp.resolve("data"))) ...
 *   }
 * </pre>
 */
public enum StoreEngine {
    DERBY,
    POSTGRESQL;

    /**
     * Makes {@code data} a data folder whose store is on this engine and returns it: for PostgreSQL a new
     * database, named in its {@value StoreLocation#FILE}; for Derby nothing (the built-in database is made at open).
     */
    public Path dataFolder(Path data) throws IOException {
        Files.createDirectories(data);
        if (this == POSTGRESQL) {
            try {
                String url = PostgresPeer.shared().newDatabase();
                StoreLocation.write(data, new StoreLocation(url, PostgresPeer.USER, PostgresPeer.PASSWORD));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting PostgreSQL", e);
            }
        }
        return data;
    }

    /** Opens (and migrates) the store of a data folder made by {@link #dataFolder}. */
    public static Database open(Path data) {
        return StoreLocation.of(data).open(data);
    }
}
