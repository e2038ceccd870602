package dev.gunyahdt.hypervisor.virq;

import dev.gunyahdt.hypervisor.call.HypError;
import java.util.function.BooleanSupplier;

/**
 * One interrupt source of an object (a doorbell has one, a message queue two), bound to a VIRQ of some
 * {@link VirqTarget} or unbound. Asserting an unbound source does nothing (§4).
 */
public final class VirqSource {
    private final BooleanSupplier level;
    private VirqTarget target;
    private int virq;

    /** A source with no level state of its own (re-check after EOI says "not asserted"). */
    public VirqSource() {
        this(() -> false);
    }

    /**
     * @param level whether the source's condition still holds, for the vGIC's level re-check when a
     *        level-triggered VIRQ is deactivated (§3.4 "level re-check", §4)
     */
    public VirqSource(BooleanSupplier level) {
        this.level = level;
    }

    /** The source's level now (what the vGIC asks when it deactivates a level-triggered VIRQ). */
    public boolean levelAsserted() {
        return level.getAsBoolean();
    }

    /** Bind rules (§3.5): already bound → VIRQ_BOUND; otherwise the target's claim decides. */
    public HypError bind(VirqTarget t, int v) {
        if (target != null) {
            return HypError.VIRQ_BOUND;
        }
        HypError e = t.claim(v, this);
        if (e == HypError.OK) {
            target = t;
            virq = v;
        }
        return e;
    }

    public boolean isBound() {
        return target != null;
    }

    /** Unbinding an unbound source is OK (§3.5). */
    public void unbind() {
        if (target != null) {
            target.clearVirq(virq);
            target.release(virq);
            target = null;
        }
    }

    public void assertLevel() {
        if (target != null) {
            target.assertVirq(virq, false);
        }
    }

    public void assertEdgeOnly() {
        if (target != null) {
            target.assertVirq(virq, true);
        }
    }

    public void clear() {
        if (target != null) {
            target.clearVirq(virq);
        }
    }

    @Override
    public String toString() {
        return target == null ? "unbound" : "virq " + virq + "@" + target;
    }
}
