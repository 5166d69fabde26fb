package org.porter.mta.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where embedded Derby writes its own log ({@code db-derby.log}: its boots and shutdowns, and the details of
 * database errors): the log folder (setting {@code log.folder}), like {@code porter.log} and {@code maillog}.
 *
 * <p>The setting is in the database, and Derby writes its first lines while it opens: so Derby writes to
 * {@link #STREAM} (named by {@code derby.stream.error.field}), which holds those lines in memory until it is
 * told the folder ({@link #moveTo}); without one (a command that never learns it, a database that does not
 * open, more than {@link #HOLD_LIMIT} held) they go to the file beside the database, in the data folder, as
 * before. The file is appended to (the lines of the run before a crash are what explains it), and moved
 * aside to {@code db-derby.log.1} once it passes {@link #ROTATE_AT}.
 *
 * <p>A write that fails (a full log disk) is dropped, never reported to Derby: its log must not stop the
 * database.
 */
public final class DerbyLog {
    /** The file's name, in whichever folder. */
    public static final String FILE = "db-derby.log";
    static final int HOLD_LIMIT = 256 * 1024;
    static final long ROTATE_AT = 4L * 1024 * 1024;

    /** What {@code derby.stream.error.field} names: public and static, as Derby requires. */
    public static final OutputStream STREAM = new OutputStream() {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            DerbyLog.write(b, off, len);
        }
    };

    private static final Object LOCK = new Object();
    private static final ByteArrayOutputStream held = new ByteArrayOutputStream();
    /** The file beside the database, for lines no folder was given for. */
    private static Path fallback;
    /** The file in the log folder, once known; null until then. */
    private static Path target;

    private DerbyLog() {
    }

    /**
     * Called before a database in {@code dbDir} boots: its lines are held until {@link #moveTo} (or go beside
     * {@code dbDir}, see the class comment). A database opened again in the same process keeps a folder
     * already given.
     */
    static void opening(Path dbDir) {
        synchronized (LOCK) {
            Path beside = dbDir.toAbsolutePath().resolveSibling(FILE);
            if (!beside.equals(fallback)) {
                if (target == null && fallback != null) {
                    flushHeld(fallback); // another database's lines, still held: to its own folder
                }
                fallback = beside;
                target = null;
            }
        }
    }

    /** From now on Derby's lines go to {@code folder}/db-derby.log, the lines held so far first. */
    public static void moveTo(Path folder) {
        synchronized (LOCK) {
            target = folder.toAbsolutePath().resolve(FILE);
            flushHeld(target);
        }
    }

    /** The lines held (the database did not open, or nobody said where): into the data folder's file. */
    static void release() {
        synchronized (LOCK) {
            if (target == null && fallback != null) {
                flushHeld(fallback);
            }
        }
    }

    private static void write(byte[] b, int off, int len) {
        synchronized (LOCK) {
            if (target != null) {
                append(target, b, off, len);
                return;
            }
            held.write(b, off, len);
            if (held.size() > HOLD_LIMIT && fallback != null) {
                flushHeld(fallback);
            }
        }
    }

    private static void flushHeld(Path file) {
        if (held.size() > 0) {
            append(file, held.toByteArray(), 0, held.size());
            held.reset();
        }
    }

    private static void append(Path file, byte[] b, int off, int len) {
        try {
            if (Files.size(file) > ROTATE_AT) {
                Files.move(file, file.resolveSibling(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // no file yet (or it cannot be moved): appended to as it is
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write(b, off, len);
        } catch (IOException e) {
            // a full or missing log disk: the line is lost, the database goes on (see the class comment)
        }
    }
}
