package dev.gunyahdt.hypervisor.cspace;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a new cspace numbers its CapIDs. The hypervisor encodes a slot value (table&lt;&lt;8 | index) as
 * {@code value × mult XOR base} (cspace_twolevel.c {@code cspace_encode_cap_id}); whether mult and base are
 * random depends on the build.
 */
public enum CapIdNumbering {
    /** Random 16-bit multiplier and base ({@code cspace_init_id_encoder}): production builds; the model's default. */
    SCRAMBLED("scrambled", -1),
    /**
     * The slot value itself, 0x0, 0x1, … in slot order: debug builds, whose {@code config/quality/debug.conf}
     * sets {@code DISABLE_CSPACE_RAND} (multiplier 1, base 0) — what the real-stack comparison (tests/conformance/real-stack.sh) boots.
     */
    PLAIN("plain", 0),
    /**
     * The slot value plus one (0x1, 0x2, …): the hand-picked CapIDs of the reference's worked example (§10.6).
     * No Gunyah build numbers so; for that example only.
     */
    FROM_ONE("from-one", 1);

    private final String word;
    private final long first;

    CapIdNumbering(String word, long first) {
        this.word = word;
        this.first = first;
    }

    /** The word the CLI takes ({@code --capids}). */
    public String word() {
        return word;
    }

    /** The CapID of slot 0 when the numbering is not scrambled. */
    long first() {
        return first;
    }

    public static Optional<CapIdNumbering> of(String word) {
        return Arrays.stream(values()).filter(n -> n.word.equals(word)).findFirst();
    }
}
