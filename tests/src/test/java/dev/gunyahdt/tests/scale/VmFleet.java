package dev.gunyahdt.tests.scale;

import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.hypervisor.sim.Simulation;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bootable config of {@code n} VMs for the hypervisor benchmarks (issue 5, acceptance 6), generated
 * deterministically in the shape the partitioner emits: {@code system.dtb} with its {@code /gunyah-vms} table, and
 * each VM's DTB with {@code /qcom,vm-config}. VM 0 is the primary {@code hlos} (VMID 3, 512 MiB at 0x40000000 — linux-probe
 * stages the secondaries' images from 256 MiB up —, no vdevices: the RM refuses them on the primary); VM {@code i ≥ 1}
 * is {@code svm<i>}, owned by hlos, with 16 MiB after the previous VM (all inside QEMU's 2 GiB of DDR), an RM-RPC link with console, and a message-queue pair
 * with VM {@code i − 1} when that is a secondary (label {@code i}). VMIDs as the QEMU RM numbers them (gunyah-model.md
 * §8.4): the first 28 secondaries take the platform's secondary VMIDs 4..31, the rest the dynamic 0x80..0xBE.
 *
 * <p>So at most {@link #MAX_VMS} = 92 VMs: the RM has no VMID for a 93rd (and an addrspace VMID is ≤ 255 anyway),
 * so a fleet of 128, 256 or 512 VMs cannot boot on this RM — {@link #config} refuses it rather than fake it.
 */
public final class VmFleet {
    /** HLOS + QEMU's secondary VMIDs 4..31 + the dynamic 0x80..0xBE. */
    public static final int MAX_VMS = 1 + 28 + 63;
    /** Where the primary's RAM starts (IPA = PA in this model). */
    public static final long PRIMARY_BASE = 0x4000_0000L;
    static final long PRIMARY_SIZE = 0x2000_0000L;
    static final long SECONDARY_SIZE = 0x100_0000L;

    private VmFleet() {
    }

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
     * @throws IllegalArgumentException for n outside that range (past 92 the RM has no VMIDs left)
     */
    public static Simulation.Config config(int n, long seed) {
        if (n < 1 || n > MAX_VMS) {
            throw new IllegalArgumentException("a fleet of " + n + " VMs: the QEMU RM numbers at most " + MAX_VMS
                    + " (HLOS 3, secondaries 4..31, dynamic 0x80..0xBE; gunyah-model.md §8.4)");
        }
        StringBuilder table = new StringBuilder();
        Map<String, byte[]> vms = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            table.append(String.format("%s { vm-name = \"%s\"; vmid = <%d>; %s memory-ranges = <0x0 0x%x 0x0 0x%x>; };%n",
                    name(i), name(i), vmid(i), i == 0 ? "primary;" : "owner = \"hlos\";", base(i), size(i)));
            vms.put(name(i), compile(vmDts(i, n)));
        }
        byte[] system = compile("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
                + " gunyah-vms { compatible = \"gunyah-dt,vm-table\";\n" + table + " };\n};\n");
        return Simulation.Config.of(system, vms, Map.of(), seed);
    }

    /** VM {@code i}'s DTS: a CPU, its memory, a GICv3, its vm-config. */
    static String vmDts(int i, int n) {
        StringBuilder vdevices = new StringBuilder();
        if (i >= 2) {
            vdevices.append(pair("prev", i - 1, i));
        }
        if (i >= 1 && i + 1 < n) {
            vdevices.append(pair("next", i + 1, i + 1));
        }
        return """
                /dts-v1/;
                / {
                	#address-cells = <2>;
                	#size-cells = <2>;
                	compatible = "linux,dummy-virt";
                	interrupt-parent = <&gic>;
                	chosen { };
                	cpus { #address-cells = <1>; #size-cells = <0>;
                		cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a57"; reg = <0>; enable-method = "psci"; };
                	};
                	memory@%1$x { device_type = "memory"; reg = <0x0 0x%1$x 0x0 0x%2$x>; };
                	gic: intc@8000000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller;
                		reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>; };
                	qcom,vm-config {
                		vm-type = "aarch64-guest";
                		os-type = "linux";
                		image-name = "%3$s";
                		memory { base-address = <0x0 0x%1$x>; size-min = <0x%2$x>; size-max = <0x%2$x>; };
                		vcpus { config = "/cpus"; affinity = "static"; affinity-map = <0>; };
                		interrupts { config = "/intc@8000000"; };
                		vdevices {
                			rm-rpc { vdevice-type = "rm-rpc"; generate = "/hypervisor/qcom,resource-mgr"; console-dev; };
                %4$s		};
                	};
                };
                """.formatted(base(i), size(i), name(i), vdevices);
    }

    private static String pair(String node, int peer, int label) {
        return String.format("\t\t\t%s { vdevice-type = \"message-queue-pair\"; generate = \"/hypervisor/%s\"; "
                + "peer = \"%s\"; qcom,label = <%d>; };%n", node, node, name(peer), label);
    }

    static byte[] compile(String dts) {
        return new Compiler(CompileOptions.defaults().withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB))
                .compile(Path.of("-"), dts.getBytes(StandardCharsets.UTF_8), "fleet.dtb").output();
    }
}
