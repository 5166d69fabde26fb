package org.porter.appliance.cli;

/**
 * A command that needs a new password. The caller reads it before dispatch — twice from the
 * terminal, or one line of stdin with {@code --password-stdin} — and hands it over in the
 * {@link Context}, so a running server receives it along with the arguments.
 */
public interface PasswordCommand {
    /** Whose password it is, for the prompt. */
    String passwordOwner();

    boolean passwordFromStdin();

    /** The terminal's first prompt. */
    default String passwordPrompt() {
        return "New password for " + passwordOwner() + ": ";
    }

    /** False when this run of the command needs no password after all (e.g. {@code --off}). */
    default boolean needsPassword() {
        return true;
    }
}
