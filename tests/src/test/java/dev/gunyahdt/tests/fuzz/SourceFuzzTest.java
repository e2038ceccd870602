package dev.gunyahdt.tests.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.bindings.Examples;
import dev.gunyahdt.bindings.Finding;
import dev.gunyahdt.bindings.MetaChecks;
import dev.gunyahdt.bindings.Validator;
import dev.gunyahdt.bindings.yaml.YamlDocument;
import dev.gunyahdt.bindings.yaml.YamlLoadException;
import dev.gunyahdt.bindings.yaml.YamlLoader;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.partitioner.Partitioner;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.emit.ConfigEmitter;
import dev.gunyahdt.partitioner.emit.ResourceTable;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import dev.gunyahdt.partitioner.plan.VmPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14: the text entry points — the preprocessor and DTS front end ({@code dtc} on a file,
 * with /include/, #include and /incbin/ targets beside it), a YAML binding as
 * {@code check-bindings} and {@code lint --bindings} load and apply it, and {@code vms.yaml}
 * through plan loading, allocation, every rule and rendering against boards/qemu-virt.
 */
class SourceFuzzTest {

    /** A private folder per JVM: the fuzz input is written there, next to files it may include. */
    private static final Path DIR = workDir();

    private static final DeviceTree QEMU_VIRT = qemuVirt();

    private static Path workDir() {
        try {
            Path d = Files.createTempDirectory("gunyah-dt-fuzz");
            Files.writeString(d.resolve("inc.dtsi"), "/ { from-dtsi = <1>; };\n");
            Files.writeString(d.resolve("inc.h"), "#define ONE 1\n#define F(x) (x + ONE)\n");
            Files.write(d.resolve("blob.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DeviceTree qemuVirt() {
        Path boards = Path.of("..", "boards").toAbsolutePath().normalize();
        Compilation c = new Compiler(CompileOptions.defaults().withIncludeDirs(List.of(boards.resolve("include"))))
                .compile(boards.resolve("qemu-virt/board.dts"), null, "-");
        return c.tree();
    }

    /** The preprocessor and the DTS front end, checks and DTB writer: {@code dtc -O dtb fuzz.dts}. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void dtsSource(byte[] text) throws Exception {
        Path src = DIR.resolve("fuzz-" + Thread.currentThread().getId() + ".dts");
        Files.write(src, text);
        Compiler c = new Compiler(CompileOptions.defaults()
                .withIncludeDirs(List.of(DIR))
                .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB));
        Refusals.run(() -> c.compile(src, null, "-"), DtException.class);
    }

    /** A binding file's text: YAML loading with its limits, check-bindings' meta checks, example extraction. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void yamlBinding(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        YamlDocument[] doc = new YamlDocument[1];
        if (Refusals.run(() -> doc[0] = new YamlLoader().load("fuzz.yaml", text), YamlLoadException.class)) {
            MetaChecks.check(doc[0], "fuzz.yaml").forEach(Finding::render);
            Examples.of(doc[0], text);
        }
    }

    /**
     * The same file as {@code lint --bindings} takes it: fixups, schema compilation, validation of
     * boards/qemu-virt. Without the built-in set (loading it costs far more than the fuzzed file),
     * so references into types.yaml stay unresolved findings.
     */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void bindingValidation(byte[] data) throws Exception {
        Path file = DIR.resolve("fuzz-" + Thread.currentThread().getId() + ".yaml");
        Files.write(file, data);
        BindingSet set = BindingSet.load(List.of(), List.of(file), false);
        set.findings().forEach(Finding::render);
        new Validator(set).validate(QEMU_VIRT, "board.dts").forEach(Finding::render);
    }

    /** vms.yaml against boards/qemu-virt: load, allocate, every rule, render the config and the table. */
    @FuzzTest(maxDuration = "5s")
    @Timeout(10)
    void vmsYaml(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        VmPlan[] plan = new VmPlan[1];
        if (!Refusals.run(() -> plan[0] = PlanLoader.parse(text, "vms.yaml"), PlanException.class)) {
            return;
        }
        Allocation[] a = new Allocation[1];
        if (!Refusals.run(() -> a[0] = Partitioner.partition(plan[0], QEMU_VIRT), PlanException.class)) {
            return;
        }
        ResourceTable.render(a[0]);
        Refusals.run(() -> ConfigEmitter.render(a[0]), ConfigEmitter.EmitException.class);
    }
}
