package dev.gunyahdt.hypervisor.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The probe's kernel log and the checks that failed, in order; every part of the probe writes here. A failed check
 * is logged as {@code FAILED: …} and counted: the guest's report is then not OK and the boot fails.
 */
final class ProbeLog {

    private final Consumer<String> log;
    private final List<String> problems = new ArrayList<>();

    ProbeLog(Consumer<String> log) {
        this.log = log;
    }

    void note(String line) {
        log.accept(line);
    }

    void problem(String text) {
        problems.add(text);
        log.accept("FAILED: " + text);
    }

    int problemCount() {
        return problems.size();
    }

    List<String> problems() {
        return List.copyOf(problems);
    }
}
