package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.bindings.Finding;
import dev.gunyahdt.bindings.Validator;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gunyah-vm-config.yaml against the real RM's rules (vm_config_parser.c, vm_config.c, as ported in hypervisor's
 * VmDtParser/VmInit behind {@code vm-check}): vm-config.dts, which the RM accepts, is clean; each edit the RM
 * still accepts stays clean; each edit the RM refuses gives a finding on the node and property expected. Every
 * case first asks {@code vm-check --trusted} for the RM's verdict, so a case cannot claim a refusal the RM does
 * not make (trusted, so that only what the schema can see decides: crash-fatal, is-direct and the like are
 * refused for untrusted configs only).
 */
class VmConfigBindingTest {

    private static Validator validator;
    private static String base;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void load() throws IOException {
        BindingSet set = BindingSet.builtin();
        assertEquals(List.of(), set.findings(), "built-in bindings load cleanly");
        validator = new Validator(set);
        base = Files.readString(LintCommandTest.resource("vm-config.dts"));
    }

    /** One edit of the base: {@code find} (first occurrence after {@code within}) becomes {@code replace}. */
    record Edit(String name, String within, String find, String replace) {
        String apply() {
            int from = base.indexOf(within);
            int at = base.indexOf(find, from);
            assertTrue(from >= 0 && at >= 0, name + ": edit applies");
            return base.substring(0, at) + replace + base.substring(at + find.length());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** An edit the RM refuses and the finding expected for it: node, property, keyword. */
    record Refused(Edit edit, String node, String property, String keyword) {
        @Override
        public String toString() {
            return edit.name();
        }
    }

    static final String VD = "/qcom,vm-config/vdevices/";

    private static final Compiler COMPILER =
            new Compiler(CompileOptions.defaults().withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB));

    static Path write(String name, String text) throws IOException {
        Path file = tmp.resolve(name.replaceAll("[^a-zA-Z0-9]+", "-") + ".dts");
        Files.writeString(file, text);
        return file;
    }

    /** The schema findings under /qcom,vm-config. */
    static List<Finding> vmConfigFindings(Path file) {
        Compilation c = COMPILER.compile(file, null, "-");
        assertTrue(c.tree() != null, c.messages().toString());
        return validator.validate(c.tree(), file.toString()).stream()
                .filter(f -> f.node().startsWith("/qcom,vm-config"))
                .toList();
    }

    /** {@code vm-check --trusted}: 0 accepted, 1 refused. */
    static LintCommandTest.Run rm(Path file) {
        return LintCommandTest.run("vm-check", "--trusted", file.toString());
    }

    @Test
    void aConfigTheRmAcceptsIsClean() throws IOException {
        Path file = write("base", base);
        assertEquals(0, rm(file).status(), rm(file).out());
        assertEquals(List.of(), vmConfigFindings(file));
    }

    static Stream<Edit> accepted() {
        return Stream.of(
                new Edit(
                        "proxy vcpus keep sched-* and affinity-map (the RM ignores them)",
                        "vcpus {",
                        "affinity = \"static\";",
                        "affinity = \"proxy\";"),
                new Edit(
                        "proxy vcpus without affinity-map",
                        "vcpus {",
                        "affinity = \"static\";\n\t\t\taffinity-map = <5>;",
                        "affinity = \"proxy\";"),
                new Edit(
                        "interrupts child with a phandle config (warned)",
                        "interrupts {",
                        "config = \"/interrupt-controller@3fff0000\";",
                        "config = <&gic>;"),
                new Edit(
                        "six push-compatibles",
                        "virtio-mmio@0 {",
                        "push-compatible = \"virtio,mmio\";",
                        "push-compatible = \"a\", \"b\", \"c\", \"d\", \"e\", \"virtio,mmio\";"),
                new Edit(
                        "seven push-compatibles on a vdevice type the RM ignores",
                        "minidump {",
                        "push-compatible = \"qcom,minidump_rm\";",
                        "push-compatible = \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\";"),
                new Edit(
                        "doorbell with a peer instead of peer-default",
                        "test-dbl {",
                        "peer-default;",
                        "peer = \"vm-name:other\";"),
                new Edit("iomem memory child named mem (strncmp prefix)", "gpiomem0 {", "memory {", "mem {"),
                new Edit(
                        "two-cell size-min in one size cell (the RM ignores it)",
                        "memory {",
                        "size-min = <0x0 0x4000000>;",
                        "size-min = <0x4000000>;"),
                new Edit(
                        "a node without vdevice-type",
                        "vdevices {",
                        "minidump {",
                        "notes {\n\t\t\t\tanything;\n\t\t\t};\n\n\t\t\tminidump {"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void anEditTheRmAcceptsStaysClean(Edit e) throws IOException {
        Path file = write(e.name(), e.apply());
        LintCommandTest.Run verdict = rm(file);
        assertEquals(0, verdict.status(), "the RM accepts it: " + verdict.out() + verdict.err());
        assertEquals(List.of(), vmConfigFindings(file));
    }

    static Stream<Refused> refused() {
        return Stream.of(
                new Refused(
                        new Edit("no image-name", "qcom,vm-config {", "image-name = \"svm\";\n", ""),
                        "/qcom,vm-config",
                        "image-name",
                        "required"),
                new Refused(
                        new Edit(
                                "image-name of 80 characters",
                                "qcom,vm-config {",
                                "image-name = \"svm\";",
                                "image-name = \"" + "x".repeat(80) + "\";"),
                        "/qcom,vm-config",
                        "image-name",
                        "pattern"),
                new Refused(
                        new Edit(
                                "vm-guid not a GUID",
                                "qcom,vm-config {",
                                "vm-guid = \"598085da-",
                                "vm-guid = \"598085dz-"),
                        "/qcom,vm-config",
                        "vm-guid",
                        "pattern"),
                new Refused(
                        new Edit("static vcpus without affinity-map", "vcpus {", "affinity-map = <5>;\n", ""),
                        "/qcom,vm-config/vcpus",
                        "affinity-map",
                        "required"),
                new Refused(
                        new Edit(
                                "time slice over 100000 us",
                                "vcpus {",
                                "sched-timeslice = <2000>;",
                                "sched-timeslice = <200000>;"),
                        "/qcom,vm-config/vcpus",
                        "sched-timeslice",
                        "maximum"),
                new Refused(
                        new Edit(
                                "shm with peer instead of peer-default",
                                "swiotlb-shm {",
                                "peer-default;",
                                "peer = \"vm-name:other\";"),
                        VD + "swiotlb-shm",
                        "peer-default",
                        "required"),
                new Refused(
                        new Edit("virtio-mmio without peer-default", "virtio-mmio@0 {", "peer-default;\n", ""),
                        VD + "virtio-mmio@0",
                        "peer-default",
                        "required"),
                new Refused(
                        new Edit("iomem without peer-default", "gpiomem0 {", "peer-default;\n", ""),
                        VD + "gpiomem0",
                        "peer-default",
                        "required"),
                new Refused(
                        new Edit(
                                "one-way queue both sender and receiver",
                                "one-way {",
                                "is-sender;",
                                "is-sender;\n\t\t\t\tis-receiver;"),
                        VD + "one-way",
                        null,
                        "oneOf"),
                new Refused(
                        new Edit("one-way queue neither sender nor receiver", "one-way {", "is-sender;\n", ""),
                        VD + "one-way",
                        null,
                        "oneOf"),
                new Refused(
                        new Edit(
                                "one-way queue with a peer", "one-way {", "peer-default;", "peer = \"vm-name:other\";"),
                        VD + "one-way",
                        "peer-default",
                        "required"),
                new Refused(
                        new Edit(
                                "queue pair with neither peer nor peer-default",
                                "vsock-msgq-pair {",
                                "peer-default;\n",
                                ""),
                        VD + "vsock-msgq-pair",
                        null,
                        "anyOf"),
                new Refused(
                        new Edit("shm memory child without a label", "swiotlb-shm {", "label = <0x12>;\n", ""),
                        VD + "swiotlb-shm/memory",
                        null,
                        "anyOf"),
                new Refused(
                        new Edit("iomem memory child without a label", "gpiomem0 {", "qcom,label = <0x8>;\n", ""),
                        VD + "gpiomem0/memory",
                        null,
                        "anyOf"),
                new Refused(
                        new Edit(
                                "shm memory child with base and allocate-base",
                                "qrtr-shm {",
                                "allocate-base;",
                                "allocate-base;\n\t\t\t\t\tbase = <0x0 0x80000000>;"),
                        VD + "qrtr-shm/memory",
                        null,
                        "oneOf"),
                new Refused(
                        new Edit(
                                "virtio-mmio memory child with neither base nor allocate-base",
                                "virtio-mmio@0 {",
                                "base = <0x0 0xda6f8000>;\n",
                                ""),
                        VD + "virtio-mmio@0/memory",
                        null,
                        "oneOf"),
                new Refused(
                        new Edit("shm without a memory child", "qrtr-shm {", "memory {", "region {"),
                        VD + "qrtr-shm",
                        "memory",
                        "required"),
                new Refused(
                        new Edit(
                                "shm with a second child node",
                                "swiotlb-shm {",
                                "memory {",
                                "extra {\n\t\t\t\t\tqcom,label = <1>;\n\t\t\t\t};\n\n\t\t\t\tmemory {"),
                        VD + "swiotlb-shm/extra",
                        null,
                        "type"),
                new Refused(
                        new Edit(
                                "iomem with two memory children",
                                "gpiomem0 {",
                                "memory {",
                                "mem {\n\t\t\t\t\tqcom,label = <9>;\n\t\t\t\t};\n\n\t\t\t\tmemory {"),
                        VD + "gpiomem0",
                        null,
                        "oneOf"),
                new Refused(
                        new Edit(
                                "seven push-compatibles",
                                "virtio-mmio@0 {",
                                "push-compatible = \"virtio,mmio\";",
                                "push-compatible = \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"virtio,mmio\";"),
                        VD + "virtio-mmio@0",
                        "push-compatible",
                        "maxItems"),
                new Refused(
                        new Edit(
                                "four push-compatibles on rm-rpc",
                                "rm-rpc {",
                                "console-dev;",
                                "console-dev;\n\t\t\t\tpush-compatible = \"a\", \"b\", \"c\", \"d\";"),
                        VD + "rm-rpc",
                        "push-compatible",
                        "maxItems"),
                new Refused(
                        new Edit(
                                "rm-rpc without generate",
                                "rm-rpc {",
                                "generate = \"/hypervisor/qcom,resource-mgr\";\n",
                                ""),
                        VD + "rm-rpc",
                        "generate",
                        "required"),
                new Refused(
                        new Edit("vsmmu-v2 without num-smrs", "vsmmu@15000000 {", "num-smrs = <6>;\n", ""),
                        VD + "vsmmu@15000000",
                        "num-smrs",
                        "required"),
                new Refused(
                        new Edit(
                                "vsmmu-v2 with 256 context banks",
                                "vsmmu@15000000 {",
                                "num-cbs = <6>;",
                                "num-cbs = <256>;"),
                        VD + "vsmmu@15000000",
                        "num-cbs",
                        "maximum"),
                new Refused(
                        new Edit(
                                "vRTC with base and allocate-base",
                                "vdevices {",
                                "minidump {",
                                "vrtc {\n\t\t\t\tvdevice-type = \"vrtc-pl031\";\n\t\t\t\tbase = <0x0 0x9010000>;\n\t\t\t\tallocate-base;\n\t\t\t};\n\n\t\t\tminidump {"),
                        VD + "vrtc",
                        null,
                        "oneOf"),
                new Refused(
                        new Edit(
                                "base-mem-constraints of three cells",
                                "memory {",
                                "size-min = <0x0 0x4000000>;",
                                "size-min = <0x0 0x4000000>;\n\t\t\tbase-mem-constraints = <1 0 0>;"),
                        "/qcom,vm-config/memory",
                        "base-mem-constraints",
                        "oneOf"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void anEditTheRmRefusesIsFlagged(Refused r) throws IOException {
        Path file = write(r.edit().name(), r.edit().apply());
        LintCommandTest.Run verdict = rm(file);
        assertEquals(1, verdict.status(), "the RM refuses it: " + verdict.out() + verdict.err());
        List<Finding> findings = vmConfigFindings(file);
        String all = findings.stream().map(Finding::render).collect(Collectors.joining("\n"));
        assertTrue(
                findings.stream()
                        .anyMatch(f -> r.node().equals(f.node())
                                && java.util.Objects.equals(r.property(), f.property())
                                && r.keyword().equals(f.keyword())),
                "no (" + r.node() + ", " + r.property() + ", " + r.keyword() + ") finding in:\n" + all);
    }
}
