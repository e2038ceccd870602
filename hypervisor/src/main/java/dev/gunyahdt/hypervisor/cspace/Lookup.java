package dev.gunyahdt.hypervisor.cspace;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;

/** Result of resolving a CapID: the object, or the error the hypercall returns. */
public record Lookup(HypError error, KernelObject object) {
    static Lookup fail(HypError e) {
        return new Lookup(e, null);
    }

    public boolean ok() {
        return error == HypError.OK;
    }

    /** The object as the type the caller asked for (only after {@link #ok()}). */
    public <T extends KernelObject> T as(Class<T> cls) {
        return cls.cast(object);
    }
}
