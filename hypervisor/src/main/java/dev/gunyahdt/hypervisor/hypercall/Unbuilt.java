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

    // Empty since issue 11's fourth session: every number 36ca3a2a defines is built (the table stays the one place a
    // call the model cannot mean anything for would be listed).
    private static final Map<Integer, Call> CALLS = table();

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
