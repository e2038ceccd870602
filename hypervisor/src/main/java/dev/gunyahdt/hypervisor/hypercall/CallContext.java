package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;

import java.util.function.LongSupplier;

/**
 * What one hypercall sees of its caller: the cspace its thread is attached to, the memory its buffers live
 * in, the calling thread (null for a thread without a vCPU object, the RM's seat) and the serial counter new
 * objects and caps are numbered from. Whatever a call needs beyond that (the scheduler, the memory database,
 * the root partition) its package was given when the hypervisor was assembled.
 */
public final class CallContext {
    private final Capabilities cspace;
    private final GuestMemory memory;
    private final KernelObject thread;
    private final LongSupplier serials;

    public CallContext(Capabilities cspace, GuestMemory memory, KernelObject thread, LongSupplier serials) {
        this.cspace = cspace;
        this.memory = memory;
        this.thread = thread;
        this.serials = serials;
    }

    /** The caller's own cspace (the one its thread is attached to). */
    public Capabilities cspace() {
        return cspace;
    }

    public GuestMemory memory() {
        return memory;
    }

    /** The calling thread (a {@code vcpu.Vcpu}), or null for a thread without one (the root VM's seat). */
    public KernelObject thread() {
        return thread;
    }

    public long nextSerial() {
        return serials.getAsLong();
    }

    /** Typed lookup in the caller's cspace for an operation on an ACTIVE object. */
    public Lookup active(long capId, ObjectType type, int rights) {
        return cspace.lookup(capId, type, rights, true);
    }

    /** Lookup for configure calls: any state, with the generic OBJECT_ACTIVATE right (§2.4). */
    public Lookup forConfigure(long capId, ObjectType type) {
        return cspace.lookup(capId, type, ObjectType.OBJECT_ACTIVATE, false);
    }
}
