package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.guest.GuestReport;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.partition.Partition;
import dev.gunyahdt.hypervisor.sim.Simulation;
import dev.gunyahdt.hypervisor.vcpu.Scheduler;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RM builds VMs on the hypervisor's own objects (§5.4, §6, §7): vCPU threads with the config's affinity and
 * the RM's priorities, RAM as extents derived from the RM's that only the VM (and the RM) can reach, memparcels
 * that move pages, shm mapped in both sharers, proxy-scheduled vCPUs run by their owner through vcpu_run; and
 * the whole boot is interrupt-driven (every vCPU ends waiting in WFI).
 */
class RmVcpuTest {
    private static final byte[] FDT_MAGIC = {(byte) 0xd0, 0x0d, (byte) 0xfe, (byte) 0xed};
    /** The RM's shm joins a VM with its owner (peer-default): svm1 and hlos share it. */
    private static final String SHM_SVM1 =
            "shm { vdevice-type = \"shm\"; generate = \"/hypervisor/shm\"; peer-default; "
                    + "qcom,label = <2>; memory { qcom,label = <2>; base = <0x0 0xa0000000>; }; };\n";

    private static final String SHM_SVM2 = "";

    /** The vCPU objects of the run by the VMID of their addrspace (255 = the RM), in creation order. */
    private static Map<Integer, List<Vcpu>> vcpus(Simulation.Result r) {
        Map<Integer, List<Vcpu>> out = new HashMap<>();
        r.rm().hypervisor().objects().stream()
                .filter(o -> o instanceof Vcpu)
                .map(o -> (Vcpu) o)
                .forEach(v -> out.computeIfAbsent(
                                ((AddrSpace) v.caller().memory()).vmid(), k -> new java.util.ArrayList<>())
                        .add(v));
        return out;
    }

    private static GuestMemory memoryOf(Simulation.Result r, int vmid) {
        return vcpus(r).get(vmid).get(0).caller().memory();
    }

    @Test
    void everyVmRunsOnItsOwnVcpusAndTheBootEndsWithEveryVcpuInWfi() {
        Simulation.Result r =
                Simulation.run(Configs.pairOfSecondaries(5, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, ""));
        assertTrue(r.settled());
        Map<Integer, List<Vcpu>> v = vcpus(r);
        assertEquals(List.of(3, 0x80, 0x81, 255), v.keySet().stream().sorted().toList());
        for (int vmid : List.of(255, 3, 0x80, 0x81)) {
            Vcpu c = v.get(vmid).get(0);
            assertEquals(1, v.get(vmid).size());
            assertEquals(0, c.affinity(), "affinity-map <0>");
            assertEquals(vmid == 255 || vmid == 3 ? 32 : 31, c.priority(), "ROOTVM_PRIORITY; secondaries one below");
            assertTrue(c.poweredOn() && c.waiting(), vmid + " ends powered on, in WFI");
            assertFalse(c.proxyScheduled());
        }
        // X0 at power-on = the DTB's IPA, PC = RAM base + the entry offset (§5.4)
        Vcpu svm1 = v.get(0x80).get(0);
        assertEquals(0x80000000L + ResourceManager.DT_OFFSET, svm1.x(0));
        assertEquals(0x80000000L + ResourceManager.ENTRY_OFFSET, svm1.pc());
        GuestReport hlos = r.guests().get("hlos");
        assertTrue(hlos.ok(), hlos.problems().toString());
        assertEquals(2, hlos.vcpusChecked(), "one VIRTUAL_CPU entry per launched VM, matching its /cpus");
        assertEquals(0, hlos.proxyRuns());
    }

    @Test
    void aVmTouchesOnlyTheMemoryTheRmGaveIt() {
        Simulation.Result r = Simulation.run(
                Configs.pairOfSecondaries(5, Configs.SVM1_VDEVICES + SHM_SVM1, Configs.SVM2_VDEVICES + SHM_SVM2, ""));
        assertTrue(
                r.guests().values().stream().allMatch(GuestReport::ok),
                r.guests().toString());
        Hypervisor hv = r.rm().hypervisor();
        // RAM: extents of their own, derived from the RM's DDR extent; the rest of DDR stays with that extent
        Object svm1Ram = hv.memdb().ownerOf(0x80000000L);
        assertInstanceOf(MemExtent.class, svm1Ram);
        assertNotSame(svm1Ram, hv.memdb().ownerOf(0x90000000L));
        assertInstanceOf(MemExtent.class, hv.memdb().ownerOf(0xB0000000L));
        assertFalse(hv.memdb().ownerOf(0xB0000000L) instanceof Partition);
        GuestMemory hlos = memoryOf(r, 3);
        GuestMemory svm1 = memoryOf(r, 0x80);
        GuestMemory svm2 = memoryOf(r, 0x81);
        assertArrayEquals(FDT_MAGIC, svm1.read(0x80000000L + ResourceManager.DT_OFFSET, 4), "the RM wrote the DTB");
        assertNull(svm1.read(0x90000000L, 4), "svm2's RAM");
        assertNull(svm2.read(0x80000000L, 4), "svm1's RAM");
        assertNull(hlos.read(0x80000000L, 4), "the primary does not keep its secondaries' RAM");
        assertNull(svm1.read(0xB0000000L, 4), "DDR nobody was given");
        // the primary lent each secondary its RAM (MEM_LEND) out of the memory it holds for them: it can no
        // longer touch it; its own RAM it keeps whole
        assertNull(hlos.read(0x90000000L, 4));
        assertNotNull(hlos.read(0x40000000L + 0x1000_0000L, 4));
        assertNotNull(hlos.read(0x40000000L + 0x0F00_0000L, 4));
        // shm (svm1 with its owner): one extent, mapped read-write in both sharers only
        assertTrue(svm1.write(0xa0000000L, new byte[] {42}));
        assertArrayEquals(new byte[] {42}, hlos.read(0xa0000000L, 1));
        assertNull(svm2.read(0xa0000000L, 1));
    }

    /** The pair of secondaries (seed 9) booted with {@code from} replaced by {@code to} in svm2's config. */
    private static Simulation.Result bootWithSvm2Changed(String from, String to) {
        Simulation.Config good = Configs.pairOfSecondaries(9, Configs.SVM1_VDEVICES, Configs.SVM2_VDEVICES, "");
        Map<String, byte[]> vms = new HashMap<>(good.vmDtbs());
        String svm2 = Configs.vm(
                "svm2",
                0x90000000L,
                0x10000000L,
                "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                Configs.SVM2_VDEVICES,
                "");
        assertTrue(svm2.contains(from), from);
        vms.put("svm2", Configs.compile(svm2.replace(from, to)));
        return Simulation.run(Simulation.Config.of(good.systemDtb(), vms, Map.of(), 9));
    }

    @Test
    void aVmsSchedPriorityIsAnOffsetFromItsOwnersAndItsTimesliceIsInMicroseconds() {
        // handle_vcpu: priority = the owner's (32) + sched-priority; timeslice = sched-timeslice µs in ns
        Simulation.Result r = bootWithSvm2Changed(
                "sched-timeslice = <5000>; sched-priority = <(-1)>;",
                "sched-timeslice = <2000>; sched-priority = <(-7)>;");
        assertTrue(r.settled());
        Vcpu svm1 = vcpus(r).get(0x80).get(0);
        Vcpu svm2 = vcpus(r).get(0x81).get(0);
        assertEquals(31, svm1.priority());
        assertEquals(5_000_000L, svm1.timeslice());
        assertEquals(25, svm2.priority());
        assertEquals(2_000_000L, svm2.timeslice());
        assertTrue(
                r.guests().get("svm2").ok(), r.guests().get("svm2").problems().toString());
    }

    @Test
    void aProxyScheduledVmRunsOnlyThroughItsOwnersVcpuRun() {
        Simulation.Result r =
                bootWithSvm2Changed("affinity = \"static\"; affinity-map = <0>;", "affinity = \"proxy\";");
        assertTrue(r.settled());
        for (String vm : List.of("hlos", "svm1", "svm2")) {
            assertEquals(VmState.RUNNING, r.rm().vm(vm).orElseThrow().state(), vm);
            assertTrue(r.guests().get(vm).ok(), vm + ": " + r.guests().get(vm).problems());
        }
        Vcpu svm2 = vcpus(r).get(0x81).get(0);
        assertTrue(svm2.proxyScheduled());
        assertEquals(Scheduler.CPU_INDEX_INVALID, svm2.affinity());
        assertEquals(0, svm2.priority());
        GuestReport hlos = r.guests().get("hlos");
        assertEquals(2, hlos.vcpusChecked());
        assertTrue(hlos.proxyRuns() > 0, "svm2 ran inside hlos's vcpu_run");
        assertEquals(1, r.guests().get("svm2").pairsExchanged());
    }
}
