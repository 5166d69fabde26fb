package org.porter.mta.store;

import java.sql.DriverManager;
import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What differs between database engines, in one place: type names in migration scripts
 * ({@code ${BLOB}}, {@code ${TEXT}}) and shutdown. Everything else Porter sends is standard SQL
 * (identity columns, FETCH FIRST, no engine functions), so a PostgreSQL dialect is a few lines.
 */
public enum Dialect {
    DERBY("BLOB(2G)", "CLOB(1M)") {
        @Override
        void shutdown(String url) {
            String base = url.replace(";create=true", "");
            try {
                DriverManager.getConnection(base + ";shutdown=true");
            } catch (SQLException e) {
                // Derby reports a clean database shutdown as SQLState 08006
                if (!"08006".equals(e.getSQLState())) {
                    LOG.warn("database shutdown: {}", e.getMessage());
                }
            }
        }
    },
    POSTGRESQL("BYTEA", "TEXT") {
        @Override
        void shutdown(String url) {
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(Dialect.class);
    private final String blob;
    private final String text;

    Dialect(String blob, String text) {
        this.blob = blob;
        this.text = text;
    }

    String expand(String sql) {
        return sql.replace("${BLOB}", blob).replace("${TEXT}", text);
    }

    abstract void shutdown(String url);
}
