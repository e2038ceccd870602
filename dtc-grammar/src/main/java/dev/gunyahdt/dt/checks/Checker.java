package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.DeviceTree;

/**
 * dtc 1.6.1's semantic checks over a freshly parsed tree: every check of its table, in its
 * order, at the levels {@link CheckConfig} sets, including the fixups that resolve references.
 */
public final class Checker {

    private Checker() {}

    /**
     * Runs the table. As dtc does, the run stops after the first error-level check that fails
     * (later checks, and so later fixups, do not run).
     *
     * @param outName the output file name, printed as the position of messages that have none
     *                ("-" prints as {@code <stdout>})
     */
    public static CheckResult run(DeviceTree tree, CheckConfig config, String outName) {
        CheckRun run = new CheckRun(tree, config.copy(), outName);
        boolean errors = run.runAll();
        return new CheckResult(run.tree, run.diagnostics, errors, run.nextPhandle);
    }
}
