package dev.gunyahdt.tests.scale;

import dev.gunyahdt.hypervisor.rm.Configs;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bootable config of {@code n} VMs for the hypervisor benchmarks (issue 5, acceptance 6), generated
 * deterministically in the shape the partitioner emits: {@code system.dtb} with its {@code /gunyah-vms} table, and
 * each VM's DTB with {@code /qcom,vm-config}. VM 0 is the primary {@code hlos} (VMID 3, 512 MiB at 0x40000000, no
 * vdevices of its own; it lends each secondary its memory); VM {@code i ≥ 1}
 * is {@code svm<i>}, owned by hlos, with 16 MiB after the previous VM (all inside QEMU's 2 GiB of DDR), an RM-RPC link with console, and a message-queue pair
 * with VM {@code i − 1} when that is a secondary (label {@code i}). VMIDs as the QEMU RM numbers them (gunyah-model.md
 * §8.4): the first 28 secondaries take the platform's secondary VMIDs 4..31, the rest the dynamic 0x80..0xBE.
 *
 * <p>The RM numbers at most 92 VMs (an addrspace VMID is ≤ 255 anyway), but one owner holds at most 64 memparcels
 * ({@code memparcel.c}'s MAX_MEMPARCEL_PER_VM) and each secondary's memory is one it lends: so at most
 * {@link #MAX_VMS} = 65 VMs from one primary. A fleet of 92, 128, 256 or 512 VMs cannot boot on this RM —
 * {@link #config} refuses it rather than fake it.
 */
public final class VmFleet {
    /** HLOS + the 64 secondaries it can lend memory to (VMIDs 4..31, then dynamic from 0x80). */
    public static final int MAX_VMS = 1 + 64;
    /** Where the primary's RAM starts (IPA = PA in this model). */
    public static final long PRIMARY_BASE = 0x4000_0000L;

    static final long PRIMARY_SIZE = 0x2000_0000L;
    static final long SECONDARY_SIZE = 0x100_0000L;

    private VmFleet() {}

    /** The VMID of VM {@code i} (0 = the primary). */
    public static int vmid(int i) {
        if (i == 0) {
            return 3;
        }
        return i <= 28 ? 3 + i : 0x80 + (i - 29);
    }

    public static String name(int i) {
        return i == 0 ? "hlos" : "svm" + i;
    }

    static long base(int i) {
        return i == 0 ? PRIMARY_BASE : PRIMARY_BASE + PRIMARY_SIZE + (i - 1) * SECONDARY_SIZE;
    }

    static long size(int i) {
        return i == 0 ? PRIMARY_SIZE : SECONDARY_SIZE;
    }

    /**
     * The config of {@code n} VMs (1 ≤ n ≤ {@link #MAX_VMS}), every guest running the default linux-probe.
     *
     * @throws IllegalArgumentException for n outside that range (past 65 the primary has no memparcel left to lend)
     */
    public static Simulation.Config config(int n, long seed) {
        if (n < 1 || n > MAX_VMS) {
            throw new IllegalArgumentException("a fleet of " + n + " VMs: at most " + MAX_VMS
                    + " (HLOS lends each secondary its memory and holds at most 64 memparcels; the QEMU RM's VMIDs, 4..31"
                    + " and 0x80..0xBE, would number 92)");
        }
        StringBuilder table = new StringBuilder();
        Map<String, byte[]> vms = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            table.append(Configs.tableEntry(name(i), vmid(i), i == 0, base(i), size(i)));
            vms.put(name(i), Configs.compile(vmDts(i, n)));
        }
        return Simulation.Config.of(Configs.compile(Configs.system(table.toString())), vms, Map.of(), seed);
    }

    /** VM {@code i}'s DTS: a CPU, its memory, a GICv3, its vm-config with an RM-RPC console link and its pairs. */
    static String vmDts(int i, int n) {
        StringBuilder vdevices = new StringBuilder();
        if (i >= 2) {
            vdevices.append(pair("prev", i - 1, i));
        }
        if (i >= 1 && i + 1 < n) {
            vdevices.append(pair("next", i + 1, i + 1));
        }
        return Configs.vm(
                name(i),
                base(i),
                size(i),
                "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                vdevices.toString(),
                "");
    }

    private static String pair(String node, int peer, int label) {
        return String.format(
                "\t\t\t%s { vdevice-type = \"message-queue-pair\"; generate = \"/hypervisor/%s\"; "
                        + "peer = \"%s\"; qcom,label = <%d>; };%n",
                node, node, name(peer), label);
    }
}
