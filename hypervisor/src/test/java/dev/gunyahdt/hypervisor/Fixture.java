package dev.gunyahdt.hypervisor;

import dev.gunyahdt.hypervisor.vcpu.Caller;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vic.VicCalls;

/**
 * Builds small systems the way the RM will: everything through hypercalls from the root VM. Each helper
 * asserts its own calls succeed, so a test fails at the step that broke.
 */
public final class Fixture {
    public final Hypervisor hv;
    public final Caller root;

    public Fixture(long seed) {
        this(new Hypervisor(seed));
    }

    public Fixture(Hypervisor hv) {
        this.hv = hv;
        this.root = hv.root();
    }

    /** Root's call; returns the result. */
    public HvcResult call(int number, long... in) {
        return hv.call(root, number, in);
    }

    /** Root's call that must succeed; returns X1. */
    public long ok(int number, long... in) {
        HvcResult r = call(number, in);
        if (!r.isOk()) {
            throw new AssertionError(hv.hypercallName(number) + " failed: " + r.error());
        }
        return r.x1();
    }

    public long create(int createCall) {
        return ok(createCall, hv.rootPartitionCap(), hv.rootCSpaceCap(), 0);
    }

    /** A new ACTIVE cspace for a VM; returns root's master cap to it. */
    public long newCSpace(int maxCaps) {
        long cs = create(PartitionCalls.CREATE_CSPACE);
        ok(CSpaceCalls.CONFIGURE, cs, maxCaps, 0);
        ok(ObjectCalls.ACTIVATE, cs, 0);
        return cs;
    }

    /** A VM: a new cspace and a thread on it with 64 KiB of memory. */
    public Vm newVm(String name) {
        long cs = newCSpace(64);
        return new Vm(name, cs, hv.attach(root, cs, name, GuestMemory.flat(1 << 16)));
    }

    /** A configured, ACTIVE VIC with every SPI usable; returns root's master cap. */
    public long newVic() {
        long vic = create(PartitionCalls.CREATE_VIC);
        ok(VicCalls.CONFIGURE, vic, 8, 988, 0, 0);
        ok(ObjectCalls.ACTIVATE, vic, 0);
        return vic;
    }

    /** A configured, ACTIVE message queue; returns root's master cap. */
    public long newMsgQueue(int depth, int size) {
        long q = create(PartitionCalls.CREATE_MSGQUEUE);
        ok(MsgQueueCalls.CONFIGURE, q, MsgQueueCalls.createInfo(depth, size), 0);
        ok(ObjectCalls.ACTIVATE, q, 0);
        return q;
    }

    /** Copies root's cap into a VM's cspace with {@code rights}; returns the VM's CapID. */
    public long grant(Vm vm, long rootCap, int rights) {
        return ok(CSpaceCalls.COPY_CAP_FROM, hv.rootCSpaceCap(), rootCap, vm.cspaceCap(), rights, 0);
    }

    /** A VM as the root sees it: root's cap to its cspace, and its thread. */
    public record Vm(String name, long cspaceCap, Caller caller) {
    }

    public static HypError err(HvcResult r) {
        return r.error();
    }
}
