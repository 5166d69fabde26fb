package org.porter.mta.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** For Jazzer targets that need a listener (seconds to start): run them only when there is something to do. */
public final class FuzzInputs {
    private FuzzInputs() {
    }

    /**
     * Whether {@code target} should run: a fuzzing run ({@code JAZZER_FUZZ} set), or findings a fuzzing
     * run left to replay in its inputs folder ({@code <SimpleName>Inputs/} beside the class).
     */
    public static boolean fuzzingOrFindingsToReplay(Class<?> target) {
        if (System.getenv("JAZZER_FUZZ") != null) {
            return true;
        }
        URL inputs = target.getResource(target.getSimpleName() + "Inputs");
        if (inputs == null) {
            return false;
        }
        try (var files = Files.walk(Path.of(inputs.toURI()))) {
            return files.anyMatch(Files::isRegularFile);
        } catch (IOException | URISyntaxException e) {
            return true; // cannot tell: replay
        }
    }
}
