package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "backup", description = {"Write a backup of everything Porter holds into one file, while mail keeps "
        + "flowing: all mailboxes, the queue, users, settings, the box's keys and its TLS certificate.",
        "Put it back with: porter restore FILE (into a stopped or new box)."})
public final class BackupCommand extends AdminCommand implements PasswordCommand {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Parameters(paramLabel = "FILE", arity = "0..1",
            description = "where to write it (default: porter-backup-DATE-TIME.zip in the current folder); never overwritten")
    Path file;

    @picocli.CommandLine.Option(names = "--last", description = "say how the last backup went (scheduled by backup.schedule, or made by hand)")
    boolean last;

    @picocli.CommandLine.Option(names = "--passphrase-stdin", description = "encrypt the backup with a passphrase read as"
            + " one line from standard input (AES-256-GCM; porter restore asks for it)")
    boolean passphraseStdin;

    @picocli.CommandLine.Option(names = "--encrypt", description = "encrypt the backup with a passphrase asked twice on"
            + " the terminal")
    boolean encrypt;

    @Override
    public String passwordOwner() {
        return "the backup";
    }

    @Override
    public String passwordPrompt() {
        return "Passphrase for the backup (needed to restore it): ";
    }

    @Override
    public boolean passwordFromStdin() {
        return passphraseStdin;
    }

    @Override
    public boolean needsPassword() {
        return passphraseStdin || encrypt;
    }

    @Override
    protected int run(Mta mta, PrintWriter out) {
        if (last) {
            if (file != null) {
                throw new org.porter.mta.api.InvalidRequestException("--last takes no FILE");
            }
            var l = mta.lastBackup();
            if (l.isEmpty()) {
                out.println("no backup made yet (backup.schedule is " + mta.settings().get("backup.schedule") + ")");
                return 0;
            }
            out.println(l.get().at() + " " + (l.get().ok() ? "ok: " : "FAILED: ") + l.get().summary());
            return l.get().ok() ? 0 : 1;
        }
        Path target = context().resolve(file != null ? file
                : Path.of("porter-backup-" + STAMP.format(LocalDateTime.now()) + ".zip"));
        char[] passphrase = needsPassword() ? context().password().orElseThrow(
                () -> new IllegalStateException("no passphrase handed to backup")) : null;
        try {
            if (passphrase != null && passphrase.length < 8) {
                throw new org.porter.mta.api.InvalidRequestException("the passphrase is too short: at least 8 characters");
            }
            out.println(mta.backup(target, passphrase).summary() + (passphrase != null ? ", encrypted" : ""));
        } finally {
            if (passphrase != null) {
                java.util.Arrays.fill(passphrase, '\0');
            }
        }
        return 0;
    }
}
