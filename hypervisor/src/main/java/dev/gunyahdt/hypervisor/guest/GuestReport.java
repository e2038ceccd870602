package dev.gunyahdt.hypervisor.guest;

import java.util.List;

/**
 * What a guest program found and did.
 *
 * @param consoleOpen  VM_CONSOLE_OPEN succeeded and the banner was written
 * @param resourcesMatch VM_GET_HYP_RESOURCES agreed with the DT, entry for entry
 * @param pairs        message-queue pairs in the DT; {@code pairsExchanged} sent and received at least once
 * @param doorbells    doorbells in the DT (both sides); {@code doorbellsExercised}: rung (source) or seen set
 * @param problems     every check that failed, in order
 */
public record GuestReport(String vm, String program, boolean done, boolean consoleOpen, boolean resourcesMatch,
                          int pairs, int pairsExchanged, int doorbells, int doorbellsExercised,
                          List<String> problems, List<String> consoleSeen) {
    public GuestReport {
        problems = List.copyOf(problems);
        consoleSeen = List.copyOf(consoleSeen);
    }

    public boolean ok() {
        return done && problems.isEmpty();
    }
}
