package org.porter.mta.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue 12: the queue schedules and nothing else. It reaches storage through its own
 * {@link QueueStorage} and {@link QueueEntry} (the store implements them), submits reports through
 * {@link Bouncer} (implemented in bounce), and so imports neither the intake, nor routing, nor the
 * store (whose row types it used to pass around).
 */
class QueueBoundaryTest {

    @Test
    void theQueueImportsNeitherIntakeNorRoutingNorTheStore() throws IOException {
        Path dir = Path.of("src/main/java/org/porter/mta/queue");
        List<String> imports;
        try (Stream<Path> files = Files.list(dir)) {
            imports = files.filter(f -> f.toString().endsWith(".java")).flatMap(QueueBoundaryTest::lines)
                    .filter(l -> l.startsWith("import ")).toList();
        }
        assertThat(imports).isNotEmpty().noneMatch(l -> l.matches("import (static )?org\\.porter\\.mta\\.(intake|routing|store)\\..*"));
        String all = String.join("\n", imports);
        assertThat(all).doesNotContain("org.porter.mta.bounce");
    }

    private static Stream<String> lines(Path f) {
        try {
            return Files.readAllLines(f).stream().map(String::strip);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
