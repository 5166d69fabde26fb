package org.porter.appliance.control;

/** What a command run inside the server printed, and its exit code. */
public record Response(int exitCode, String out, String err) {
}
