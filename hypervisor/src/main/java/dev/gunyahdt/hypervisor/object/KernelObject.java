package dev.gunyahdt.hypervisor.object;

import dev.gunyahdt.hypervisor.call.HypError;

/**
 * Common header of every hypervisor object: its type, its lifecycle state and a serial number that
 * names it in snapshots (serials are internal; guests only ever see CapIDs).
 */
public abstract class KernelObject {
    private final ObjectType type;
    private final long serial;
    private ObjectState state = ObjectState.INIT;

    protected KernelObject(ObjectType type, long serial) {
        this.type = type;
        this.serial = serial;
    }

    public final ObjectType type() {
        return type;
    }

    public final long serial() {
        return serial;
    }

    public final ObjectState state() {
        return state;
    }

    /**
     * The type's activate handler: check the configuration and set up what ACTIVE needs. Returns OK or the
     * error that makes the object FAILED (typically OBJECT_CONFIG). Runs only from INIT.
     */
    protected HypError onActivate() {
        return HypError.OK;
    }

    /** Called once when the last cap to the object is deleted (unbind VIRQs and the like). */
    protected void onDestroy() {
    }

    /** Every piece of guest-visible state, as one deterministic line; equal lines mean equal states. */
    public final String snapshot() {
        return type + "#" + serial + "[" + state + "]" + describeState();
    }

    /** The type-specific part of {@link #snapshot()}. */
    protected abstract String describeState();

    /** object_activate's core (§2.2): INIT only; success → ACTIVE, failure → FAILED and the error. */
    final HypError activate() {
        if (state != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        HypError e = onActivate();
        state = e == HypError.OK ? ObjectState.ACTIVE : ObjectState.FAILED;
        return e;
    }

    /** The last reference went away. */
    final void destroy() {
        if (state != ObjectState.DESTROYING) {
            onDestroy();
            state = ObjectState.DESTROYING;
        }
    }

    /** For the boot path, which creates the root objects already active. */
    protected final void markActiveAtBoot() {
        state = ObjectState.ACTIVE;
    }

    /**
     * The lifecycle steps other packages perform: object_activate (the hypercall package) and the cspace
     * dropping the last cap to an object.
     */
    public static final class Lifecycle {
        private Lifecycle() {
        }

        public static HypError activate(KernelObject o) {
            return o.activate();
        }

        public static void destroy(KernelObject o) {
            o.destroy();
        }
    }

    @Override
    public String toString() {
        return type + "#" + serial;
    }
}
