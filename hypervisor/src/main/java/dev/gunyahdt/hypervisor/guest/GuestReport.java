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
 * @param vcpusChecked the primary: VIRTUAL_CPU entries of launched VMs that matched their DT's /cpus
 * @param proxyRuns    the primary: vcpu_run calls it made for proxy-scheduled vCPUs of its VMs
 * @param cpus         enabled CPU nodes in its DT; {@code cpusOnline}: the boot vCPU plus each secondary that came
 *                     up through PSCI CPU_ON and reported itself
 */
public record GuestReport(
        String vm,
        String program,
        boolean done,
        boolean consoleOpen,
        boolean resourcesMatch,
        int pairs,
        int pairsExchanged,
        int doorbells,
        int doorbellsExercised,
        List<String> problems,
        List<String> consoleSeen,
        int vcpusChecked,
        int proxyRuns,
        int cpus,
        int cpusOnline) {
    public GuestReport {
        problems = List.copyOf(problems);
        consoleSeen = List.copyOf(consoleSeen);
    }

    public boolean ok() {
        return done && problems.isEmpty();
    }
}
