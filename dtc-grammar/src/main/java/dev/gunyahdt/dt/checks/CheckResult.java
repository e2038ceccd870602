package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.Diagnostic;
import java.util.List;

/**
 * What the checks left: the tree with references resolved (markers kept), the findings in the
 * order dtc prints them, whether an error-level check failed (dtc then refuses to write output
 * unless forced), and where phandle numbering stopped (the {@code -@} stage continues from it).
 */
public record CheckResult(DeviceTree tree, List<Diagnostic> diagnostics, boolean hadErrors, long nextPhandle) {
    public CheckResult {
        diagnostics = List.copyOf(diagnostics);
    }
}
