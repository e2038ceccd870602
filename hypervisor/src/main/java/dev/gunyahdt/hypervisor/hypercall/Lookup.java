package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;

/** Result of resolving a CapID: the object, or the error the hypercall returns. */
public record Lookup(HypError error, KernelObject object) {
    public static Lookup fail(HypError e) {
        return new Lookup(e, null);
    }

    public boolean ok() {
        return error == HypError.OK;
    }

    /** The object as the type (class or interface) the caller asked for (only after {@link #ok()}). */
    public <T> T as(Class<T> cls) {
        return cls.cast(object);
    }
}
