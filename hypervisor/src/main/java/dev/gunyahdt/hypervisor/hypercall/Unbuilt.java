package dev.gunyahdt.hypervisor.hypercall;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every hypercall number the real hypervisor (quic/gunyah-hypervisor 36ca3a2a) defines that the model does not
 * build, with why — the one place that says so. A call to one answers UNIMPLEMENTED, as an undefined number does;
 * {@link HypercallTable#unbuilt} gives its name and reason, and {@code CoverageTablesTest} keeps this table equal to
 * the "unimplemented" rows of {@code coverage/hypercalls.tsv}. A package that builds one of these calls defines it
 * in the {@link HypercallTable} and deletes its line here (the test fails until it does).
 */
public final class Unbuilt {
    /** An unbuilt call: its number, name and why the model does not build it. */
    public record Call(int number, String name, String reason) {}

    private static final Map<Integer, Call> CALLS = table(
            entry(
                    0x2d,
                    "addrspace_update_access",
                    "a mapping's access cannot be changed in place yet (issue 11 items 2, 5)"),
            entry(0x2f, "addrspace_attach_vdma", "no vDMA / SMMU in the model (vsmmu-v2 not built)"),
            entry(0x30, "memextent_modify", "memextents cannot be partly unmapped or re-attributed yet"),
            entry(0x3f, "trace_update_class_flags", "no trace buffer in the model (the boot log is RmEvent lines)"),
            entry(0x56, "vic_bind_msi_source", "no LPIs / MSIs in the vGIC model"),
            entry(
                    0x57,
                    "prng_get_entropy",
                    "no PRNG object for guests: the model's one seeded generator feeds kaslr-seed directly"),
            entry(0x5e, "virtio_input_configure", "virtio-input (an extension of the virtio-mmio object) not built"),
            entry(0x5f, "virtio_input_set_data", "virtio-input (an extension of the virtio-mmio object) not built"),
            entry(0x67, "vgic_set_mpidr_mapping", "vCPU MPIDRs are fixed (index = Aff0) in the model"));

    private Unbuilt() {}

    private static Call entry(int number, String name, String reason) {
        return new Call(number, name, reason);
    }

    private static Map<Integer, Call> table(Call... calls) {
        Map<Integer, Call> m = new TreeMap<>();
        for (Call c : calls) {
            if (m.put(c.number(), c) != null) {
                throw new IllegalStateException("unbuilt call 0x" + Integer.toHexString(c.number()) + " listed twice");
            }
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Every unbuilt call, by number. */
    public static Map<Integer, Call> all() {
        return CALLS;
    }

    /** The unbuilt call with this number, if it is one. */
    public static Optional<Call> of(int number) {
        return Optional.ofNullable(CALLS.get(number));
    }
}
