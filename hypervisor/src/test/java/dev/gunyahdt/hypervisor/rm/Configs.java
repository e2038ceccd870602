package dev.gunyahdt.hypervisor.rm;

import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.hypervisor.sim.Simulation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small bootable configs written by hand in the shape the partitioner emits (system.dtb's /gunyah-vms table,
 * each VM's DTB with /qcom,vm-config, in the shape the real RM accepts: an exact /memory, a timeslice and a
 * priority below the owner's, peers by vm-name:), compiled with our compiler.
 */
public final class Configs {
    private Configs() {}

    public static byte[] compile(String dts) {
        return new Compiler(CompileOptions.defaults().withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB))
                .compile(Path.of("-"), dts.getBytes(StandardCharsets.UTF_8), "out.dtb")
                .output();
    }

    /** One row of the VM table. */
    public static String tableEntry(String name, int vmid, boolean primary, long base, long size) {
        return String.format(
                "%s { vm-name = \"%s\"; vmid = <%d>; %s memory-ranges = <0x0 0x%x 0x0 0x%x>; };%n",
                name, name, vmid, primary ? "primary;" : "owner = \"hlos\";", base, size);
    }

    /** The partitioner's row for a 2 MiB buffer of label 2 svm1 shares with hlos (used when svm1 asks for it). */
    public static final String SHM_REGION = "shm-svm1-2 { declared-by = \"svm1\"; vdevice-label = <2>; "
            + "memory-ranges = <0x0 0xa0000000 0x0 0x200000>; sharers = \"hlos\", \"svm1\"; };\n";

    /** A virtio-mmio DMA pool HLOS holds and shares with svm1 under label 3. */
    public static final String VIRTIO_POOL = "virtio-svm1-3 { declared-by = \"svm1\"; vdevice-label = <3>; "
            + "memory-ranges = <0x0 0xa0200000 0x0 0x10000>; sharers = \"hlos\", \"svm1\"; };\n";

    public static String system(String... entries) {
        return "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n gunyah-vms { compatible = \"gunyah-dt,vm-table\";\n"
                + String.join("", entries) + " };\n};\n";
    }

    /** A VM's DTB: two CPUs, memory, a GIC, and its vm-config with {@code rmRpc} and {@code vdevices} nodes. */
    public static String vm(String name, long base, long size, String rmRpcExtra, String vdevices, String extraRoot) {
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
                	memory { device_type = "memory"; reg = <0x0 0x%1$x 0x0 0x%2$x>; };
                	gic: intc@8000000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller;
                		reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>; };
                	%5$s
                	qcom,vm-config {
                		vm-type = "aarch64-guest";
                		os-type = "linux";
                		image-name = "%3$s";
                		memory { base-address = <0x0 0x%1$x>; size-min = <0x%2$x>; size-max = <0x%2$x>; };
                		vcpus { config = "/cpus"; affinity = "static"; affinity-map = <0>;
                			sched-timeslice = <5000>; sched-priority = <(-1)>; };
                		interrupts { config = "/intc@8000000"; };
                		vdevices {
                			rm-rpc { vdevice-type = "rm-rpc"; %4$s };
                			%6$s
                		};
                	};
                };
                """.formatted(base, size, name, rmRpcExtra, extraRoot, vdevices);
    }

    /** hlos (primary, console) and two secondaries joined by a pair and a doorbell, like boards/qemu-virt. */
    public static Simulation.Config pairOfSecondaries(
            long seed, String svm1Vdevices, String svm2Vdevices, String svm2Root) {
        Map<String, byte[]> vms = new LinkedHashMap<>();
        vms.put(
                "hlos",
                compile(vm(
                        "hlos",
                        0x40000000L,
                        0x40000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        "",
                        "")));
        vms.put(
                "svm1",
                compile(vm(
                        "svm1",
                        0x80000000L,
                        0x10000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        svm1Vdevices,
                        "")));
        vms.put(
                "svm2",
                compile(vm(
                        "svm2",
                        0x90000000L,
                        0x10000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        svm2Vdevices,
                        svm2Root)));
        byte[] system = compile(system(
                tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                tableEntry("svm1", 0x80, false, 0x80000000L, 0x10000000L),
                tableEntry("svm2", 0x81, false, 0x90000000L, 0x10000000L),
                SHM_REGION,
                // a virtio-mmio DMA pool HLOS can share with svm2 (label 7), used when svm2's config asks for one
                "pool-svm2-7 { declared-by = \"svm2\"; vdevice-label = <7>; "
                        + "memory-ranges = <0x0 0xa0200000 0x0 0x1000>; sharers = \"hlos\", \"svm2\"; };\n"));
        return Simulation.Config.of(system, vms, Map.of(), seed);
    }

    public static final String SVM1_VDEVICES = """
            mqp { vdevice-type = "message-queue-pair"; generate = "/hypervisor/mqp"; peer = "vm-name:svm2"; qcom,label = <0>; };
            bell { vdevice-type = "doorbell-source"; generate = "/hypervisor/bell"; peer = "vm-name:svm2"; qcom,label = <1>; };
            """;
    public static final String SVM2_VDEVICES = """
            mqp { vdevice-type = "message-queue-pair"; generate = "/hypervisor/mqp"; peer = "vm-name:svm1"; qcom,label = <0>; };
            bell { vdevice-type = "doorbell"; generate = "/hypervisor/bell"; peer = "vm-name:svm1"; qcom,label = <1>; };
            """;
}
