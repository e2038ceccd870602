package dev.gunyahdt.hypervisor.guest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The guest programs the model can run, by the name a VM plan gives them ({@code program:} in vms.yaml, whose
 * schema lists the same names so a plan naming another fails at plan time). There is one: {@code linux-probe}, a
 * guest whose behaviour follows from its devicetree — it exercises whatever queues and doorbells its DT (or, where
 * the DT shows none, the RM's VM_GET_HYP_RESOURCES answer) gives it; no per-role variants.
 */
public final class GuestPrograms {
    public static final String DEFAULT = "linux-probe";
    private static final Map<String, Supplier<GuestProgram>> PROGRAMS = Map.of(DEFAULT, () -> new LinuxProbe(DEFAULT));
    /** Every name, sorted. */
    public static final List<String> NAMES = PROGRAMS.keySet().stream().sorted().toList();

    private GuestPrograms() {}

    public static Optional<GuestProgram> create(String name) {
        return Optional.ofNullable(PROGRAMS.get(name)).map(Supplier::get);
    }
}
