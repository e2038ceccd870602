package dev.gunyahdt.hypervisor.memory;

import static dev.gunyahdt.hypervisor.Builders.RW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.AddrSpaceRights;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.MemExtentRights;
import dev.gunyahdt.hypervisor.call.VicRights;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import dev.gunyahdt.hypervisor.vcpu.VcpuCalls;
import dev.gunyahdt.hypervisor.vic.VicCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Virtual MMIO as [HYP] {@code hyp/mem/addrspace} and {@code hyp/vm/vcpu_run} have it: addrspace_configure_vmmio,
 * addrspace_configure_info_area, addrspace_attach_vdevice (the vGIC's frames) with their argument checks, rights and
 * codes; a proxy-scheduled vCPU's load / store in a VMMIO range that nothing maps stops it with vcpu_run state 4 / 5
 * and completes with the owner's resume data.
 */
class VmmioTest {
    static final long PAGE = MemDb.PAGE;
    static final long BASE = Hypervisor.DDR_BASE + 0x200_0000;
    final Fixture f = new Fixture(13);

    AddrSpace space(long cap) {
        return f.root.cspace().lookup(cap, ObjectType.ADDRSPACE, 0, false).as(AddrSpace.class);
    }

    HypError vmmio(long as, long base, long size, long op) {
        return f.call(MemoryCalls.ADDRSPACE_CONFIGURE_VMMIO, as, base, size, op, 0)
                .error();
    }

    @Test
    void configureVmmioAddsAndRemovesRangesWithTheCodesOfTheGpt() {
        long as = f.create(PartitionCalls.CREATE_ADDRSPACE); // INIT: allowed, as ACTIVE is
        assertEquals(HypError.OK, vmmio(as, 0, 0x4000_0000L, MemoryCalls.VMMIO_ADD));
        f.ok(MemoryCalls.ADDRSPACE_CONFIGURE, as, 45, 0);
        f.ok(ObjectCalls.ACTIVATE, as, 0);
        assertEquals(HypError.ARGUMENT_SIZE, vmmio(as, 0x5000_0000L, 0, MemoryCalls.VMMIO_ADD));
        assertEquals(HypError.ADDR_OVERFLOW, vmmio(as, -PAGE, 2 * PAGE, MemoryCalls.VMMIO_ADD));
        assertEquals(HypError.ARGUMENT_SIZE, vmmio(as, 1L << 52, PAGE, MemoryCalls.VMMIO_ADD)); // past the GPT
        assertEquals(HypError.BUSY, vmmio(as, 0x3FFF_F000L, 2 * PAGE, MemoryCalls.VMMIO_ADD)); // overlaps
        assertEquals(HypError.OK, vmmio(as, 0x4000_0000L, PAGE, MemoryCalls.VMMIO_ADD)); // adjacent is fine
        assertEquals(HypError.UNIMPLEMENTED, vmmio(as, 0x5000_0000L, PAGE, 2)); // no such op
        // removal: only a range exactly as added
        assertEquals(HypError.BUSY, vmmio(as, 0, PAGE, MemoryCalls.VMMIO_REMOVE));
        assertEquals(HypError.BUSY, vmmio(as, 0x6000_0000L, PAGE, MemoryCalls.VMMIO_REMOVE));
        assertEquals(HypError.ARGUMENT_SIZE, vmmio(as, 0, 0, MemoryCalls.VMMIO_REMOVE));
        assertEquals(HypError.OK, vmmio(as, 0, 0x4000_0000L, MemoryCalls.VMMIO_REMOVE));
        assertEquals(
                List.of(0x4000_0000L),
                space(as).vmmioRanges().stream().map(r -> r[0]).toList());
        // ADDRSPACE_MAX_VMMIO_RANGES
        for (int i = 1; i < AddrSpace.MAX_VMMIO_RANGES; i++) {
            assertEquals(HypError.OK, vmmio(as, 0x1_0000_0000L + i * PAGE, PAGE, MemoryCalls.VMMIO_ADD));
        }
        assertEquals(HypError.NORESOURCES, vmmio(as, 0x2_0000_0000L, PAGE, MemoryCalls.VMMIO_ADD));
        // the right is ADD_VMMIO_RANGE, on an addrspace
        Fixture.Vm vm = f.newVm("vm");
        long mapOnly = f.grant(vm, as, AddrSpaceRights.MAP);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(vm.caller(), MemoryCalls.ADDRSPACE_CONFIGURE_VMMIO, mapOnly, 0x3_0000_0000L, PAGE, 0, 0)
                        .error());
        long vic = f.newVic();
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, vmmio(vic, 0x3_0000_0000L, PAGE, MemoryCalls.VMMIO_ADD));
        // a FAILED addrspace (activation without a VMID)
        long failed = f.create(PartitionCalls.CREATE_ADDRSPACE);
        assertEquals(
                HypError.OBJECT_CONFIG, f.call(ObjectCalls.ACTIVATE, failed, 0).error());
        assertEquals(HypError.OBJECT_STATE, vmmio(failed, 0, PAGE, MemoryCalls.VMMIO_ADD));
        // X4 is res0
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(MemoryCalls.ADDRSPACE_CONFIGURE_VMMIO, as, 0x3_0000_0000L, PAGE, 0, 1)
                        .error());
    }

    @Test
    void configureInfoAreaTakesOnePageOfRwMemoryAtAnAlignedIpaInInitOnly() {
        long as = f.create(PartitionCalls.CREATE_ADDRSPACE);
        f.ok(MemoryCalls.ADDRSPACE_CONFIGURE, as, 45, 0);
        long page = Builders.extent(f, BASE, PAGE, RW, MemExtent.BASIC);
        HvcResult r = f.call(MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA, as, page, 0x1000_0000L, 0);
        assertEquals(HypError.OK, r.error());
        assertEquals(0x1000_0000L, space(as).infoAreaIpa());
        long two = Builders.extent(f, BASE + PAGE, 2 * PAGE, RW, MemExtent.BASIC);
        long readOnly = Builders.extent(f, BASE + 3 * PAGE, PAGE, 4, MemExtent.BASIC);
        long sparse = Builders.extent(f, BASE + 4 * PAGE, PAGE, RW, MemExtent.SPARSE);
        long device = f.create(PartitionCalls.CREATE_MEMEXTENT);
        f.ok(MemoryCalls.MEMEXTENT_CONFIGURE, device, BASE + 5 * PAGE, PAGE, MemoryCalls.extentAttrs(RW, 1, 0), 0);
        f.ok(ObjectCalls.ACTIVATE, device, 0);
        for (long bad : new long[] {two, readOnly, sparse, device}) {
            assertEquals(
                    HypError.ARGUMENT_INVALID,
                    f.call(MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA, as, bad, 0x1000_0000L, 0)
                            .error());
        }
        assertEquals(
                HypError.ADDR_INVALID,
                f.call(MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA, as, page, 0x1000_0800L, 0)
                        .error());
        assertEquals(
                HypError.ADDR_INVALID,
                f.call(MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA, as, page, 1L << 36, 0)
                        .error()); // 36-bit IPA
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA, as, page, 0x1000_0000L, 1)
                        .error()); // X3 res0
        // the extent needs ATTACH; the addrspace OBJECT_ACTIVATE
        Fixture.Vm vm = f.newVm("vm");
        long asCap = f.grant(vm, as, ObjectType.OBJECT_ACTIVATE);
        long mapOnly = f.grant(vm, page, MemExtentRights.MAP);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(vm.caller(), MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA, asCap, mapOnly, 0x1000_0000L, 0)
                        .error());
        f.ok(ObjectCalls.ACTIVATE, as, 0);
        assertEquals(
                HypError.OBJECT_STATE,
                f.call(MemoryCalls.ADDRSPACE_CONFIGURE_INFO_AREA, as, page, 0x2000_0000L, 0)
                        .error());
    }

    @Test
    void attachVdeviceTakesOnlyTheVgicsGicdAndGicrFrames() {
        long as = Builders.addrspace(f, 45);
        long vic = f.newVic(); // 8 vCPUs: indexes 0 (GICD) .. 8 (the GICR of vCPU 7)
        long cs = f.newCSpace(16);
        Builders.vcpu(f, cs, as, vic, 0, 0, 32, 0);
        HypError gicd = f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 0, 0x800_0000L, 0x1_0000L, 0)
                .error();
        assertEquals(HypError.OK, gicd);
        assertEquals(
                HypError.BUSY,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 0, 0x900_0000L, 0x1_0000L, 0)
                        .error());
        long vic2 = f.newVic();
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic2, 0, 0x900_0000L, 0x1_0000L, 1)
                        .error()); // flags
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic2, 9, 0x900_0000L, 0x2_0000L, 0)
                        .error());
        assertEquals(
                HypError.IDLE,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 2, 0x80A_0000L, 0x2_0000L, 0)
                        .error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 1, 0x80A_0000L, 0x2_0000L, 4)
                        .error());
        assertEquals(
                HypError.BUSY, // overlaps the GICD in this address space
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 1, 0x800_8000L, 0x2_0000L, 3)
                        .error());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 1, 0x80A_0000L, 0, 3)
                        .error());
        assertEquals(
                HypError.ARGUMENT_SIZE,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 1, 1L << 44, 0x2_0000L, 3)
                        .error());
        assertEquals(
                HypError.OK,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 1, 0x80A_0000L, 0x2_0000L, 3)
                        .error());
        assertEquals(
                HypError.BUSY,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, vic, 1, 0x90A_0000L, 0x2_0000L, 0)
                        .error());
        // nothing else can be attached: the event's default answer
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        assertEquals(
                HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.call(VicCalls.ADDRSPACE_ATTACH_VDEVICE, as, db, 0, 0x900_0000L, 0x1_0000L, 0)
                        .error());
        // rights: MAP on the addrspace, ATTACH_VDEVICE on the VIC
        Fixture.Vm vm = f.newVm("vm");
        long asCap = f.grant(vm, as, AddrSpaceRights.MAP);
        long bindOnly = f.grant(vm, vic2, VicRights.BIND_SOURCE);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(vm.caller(), VicCalls.ADDRSPACE_ATTACH_VDEVICE, asCap, bindOnly, 0, 0x900_0000L, 0x1_0000L, 0)
                        .error());
        long lookupOnly = f.grant(vm, as, AddrSpaceRights.LOOKUP);
        long vicCap = f.grant(vm, vic2, VicRights.ATTACH_VDEVICE);
        assertEquals(
                HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(
                                vm.caller(),
                                VicCalls.ADDRSPACE_ATTACH_VDEVICE,
                                lookupOnly,
                                vicCap,
                                0,
                                0x900_0000L,
                                0x1_0000L,
                                0)
                        .error());
        assertEquals(
                HypError.OK,
                f.hv.call(vm.caller(), VicCalls.ADDRSPACE_ATTACH_VDEVICE, asCap, vicCap, 0, 0x900_0000L, 0x1_0000L, 0)
                        .error());
    }

    /** A proxy-scheduled vCPU in an addrspace with a VMMIO range [0, 1 GiB) and one page of RAM mapped at 0x8000. */
    final class Proxy {
        final long as = f.create(PartitionCalls.CREATE_ADDRSPACE);
        final long vcpu;
        final Vcpu v;
        final List<Runnable> program = new ArrayList<>();

        Proxy() {
            this(BASE, 45);
        }

        Proxy(long ram, int vmid) {
            f.ok(MemoryCalls.ADDRSPACE_CONFIGURE, as, vmid, 0);
            assertEquals(HypError.OK, vmmio(as, 0, 0x4000_0000L, MemoryCalls.VMMIO_ADD));
            f.ok(ObjectCalls.ACTIVATE, as, 0);
            Builders.mapWhole(f, as, Builders.extent(f, ram, PAGE, RW, MemExtent.BASIC), 0x8000, PAGE);
            long vic = f.newVic();
            vcpu = Builders.vcpu(f, f.newCSpace(16), as, vic, 0, Scheduler.CPU_INDEX_INVALID, 0, 0);
            f.ok(VcpuCalls.BIND_VIRQ, vcpu, f.newVic(), 980, VcpuCalls.VIRQ_RUN_WAKEUP, 0);
            v = f.hv.vcpu(f.root, vcpu);
            f.ok(VcpuCalls.POWERON, vcpu, 0x8000, 0, 0);
        }

        HvcResult run(long resume) {
            return f.call(VcpuCalls.RUN, vcpu, resume, 0, 0, 0);
        }
    }

    static List<Long> state(HvcResult r) {
        return List.of(r.x1(), r.x2(), r.x3(), r.x4());
    }

    @Test
    void aProxyScheduledVcpusReadAndWriteInAVmmioRangeStopItInVcpuRunUntilItsOwnerAnswers() {
        Proxy p = new Proxy();
        List<Object> seen = new ArrayList<>();
        int[] pc = {0};
        p.v.program(self -> {
            // one access per instruction; a trapped one is issued again once resumed, as the PC has not moved
            while (pc[0] < 3) {
                byte[] b = pc[0] == 1 ? null : self.memory().read(pc[0] == 0 ? 0x900_0010L : 0x900_0000L, 4);
                boolean done =
                        pc[0] == 1 ? self.memory().write(0x900_0008L, new byte[] {0x78, 0x56, 0x34, 0x12}) : b != null;
                if (!done) {
                    assertTrue(self.accessUnfinished());
                    assertFalse(self.waitForInterrupt()); // blocked: it does not even WFI
                    return;
                }
                seen.add(b == null ? "written" : java.util.Arrays.toString(b));
                pc[0]++;
            }
            self.waitForInterrupt();
        });
        assertEquals(List.of((long) VcpuCalls.RUN_ADDRSPACE_VMMIO_READ, 0x900_0010L, 4L, 0L), state(p.run(0)));
        // vcpu_run_check says the same without running it
        assertEquals(
                List.of((long) VcpuCalls.RUN_ADDRSPACE_VMMIO_READ, 0x900_0010L, 4L, 0L),
                state(f.call(VcpuCalls.RUN_CHECK, p.vcpu, 0)));
        // resumed with the value read: the load completes, the store stops it (IPA, size, the value written)
        assertEquals(
                List.of((long) VcpuCalls.RUN_ADDRSPACE_VMMIO_WRITE, 0x900_0008L, 4L, 0x12345678L),
                state(p.run(0xCAFEF00DL)));
        assertEquals(List.of("[13, -16, -2, -54]"), seen);
        assertEquals(List.of((long) VcpuCalls.RUN_ADDRSPACE_VMMIO_READ, 0x900_0000L, 4L, 0L), state(p.run(0)));
        assertEquals(List.of((long) VcpuCalls.RUN_EXPECTS_WAKEUP, 0L, 1L, 0L), state(p.run(0x1_0000_0001L)));
        assertEquals(List.of("[13, -16, -2, -54]", "written", "[1, 0, 0, 0]"), seen); // a W register's low bytes
        // killed while blocked on an access: vcpu_run reports it exited, not the access
        Proxy q = new Proxy(BASE + PAGE, 46);
        q.v.program(self -> self.memory().read(0x900_0000L, 8));
        assertEquals(List.of((long) VcpuCalls.RUN_ADDRSPACE_VMMIO_READ, 0x900_0000L, 8L, 0L), state(q.run(0)));
        f.ok(VcpuCalls.KILL, q.vcpu, 0);
        assertEquals(List.of((long) VcpuCalls.RUN_POWERED_OFF, 1L, 0L, 0L), state(q.run(0)));
    }

    @Test
    void onlyAnUnmappedAccessOfAProxyScheduledVcpuInsideOneRangeIsVmmio() {
        Proxy p = new Proxy();
        AddrSpace space = space(p.as);
        // mapped memory is memory; an access outside the range, straddling its end, or of 3 bytes faults
        assertArrayEquals(new byte[4], p.v.memory().read(0x8000, 4));
        assertNull(p.v.memory().read(0x4000_0000L, 4));
        assertNull(p.v.memory().read(0x3FFF_FFFEL, 4));
        assertNull(p.v.memory().read(0x900_0000L, 3));
        assertFalse(p.v.accessUnfinished());
        // the hypervisor's own copies (a message-queue buffer) never trap
        assertNull(space.read(0x900_0000L, 4));
        assertFalse(p.v.accessUnfinished());
        // an attached vGIC frame is the vdevice's (not emulated in the model: the access faults), not VMMIO
        long vic = f.newVic();
        f.ok(VicCalls.ADDRSPACE_ATTACH_VDEVICE, p.as, vic, 0, 0x800_0000L, 0x1_0000L, 0);
        assertNull(p.v.memory().read(0x800_0000L, 4));
        assertFalse(p.v.accessUnfinished());
        // a vCPU that is not proxy-scheduled faults: the data abort the real one injects
        long cs = f.newCSpace(16);
        long other = Builders.vcpu(f, cs, p.as, f.newVic(), 0, 1, 32, 0);
        Vcpu o = f.hv.vcpu(f.root, other);
        assertNull(o.memory().read(0x900_0000L, 4));
        assertFalse(o.memory().write(0x900_0000L, new byte[4]));
        assertFalse(o.accessUnfinished());
        // removing the range ends the trap
        assertEquals(HypError.OK, vmmio(p.as, 0, 0x4000_0000L, MemoryCalls.VMMIO_REMOVE));
        assertNull(p.v.memory().read(0x900_0000L, 4));
        assertFalse(p.v.accessUnfinished());
    }
}
