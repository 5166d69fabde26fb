package org.porter.mta.api;

import java.util.List;

/**
 * One ETRN conversation: whether EHLO advertised ETRN, and one outcome per argument.
 *
 * @param problem "" when the conversation took place; else why not (for the owner)
 */
public record EtrnResult(String server, boolean advertised, List<EtrnOutcome> outcomes, String problem) {

    public boolean allAccepted() {
        return problem.isEmpty() && !outcomes.isEmpty() && outcomes.stream().allMatch(EtrnOutcome::accepted);
    }

    /** At least one argument was accepted: the ISP is going to deliver something. */
    public boolean anyAccepted() {
        return problem.isEmpty() && outcomes.stream().anyMatch(EtrnOutcome::accepted);
    }

    /** One line per argument (or the problem), for the log and {@code porter dial status}. */
    public List<String> messages() {
        if (!problem.isEmpty()) {
            return List.of(problem);
        }
        return outcomes.stream().map(EtrnOutcome::message).toList();
    }
}
