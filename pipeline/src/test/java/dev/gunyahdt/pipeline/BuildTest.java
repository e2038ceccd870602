package dev.gunyahdt.pipeline;

import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.diag.Severity;
import dev.gunyahdt.partitioner.emit.ConfigEmitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Build} as a library call: what each stage returns, and that nothing is written unless built. */
class BuildTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path BUILD = REPO.resolve("cli/src/test/resources/build");

    static Build.Options options(Path out, boolean lint) {
        return new Build.Options(out, List.of(), List.of(), false, lint);
    }

    @Test
    void aBoardIsBuiltAndWritten(@TempDir Path dir) throws Exception {
        Build.Result r = Build.run(Build.Board.dir(REPO.resolve("boards/qemu-virt")), options(dir, true));
        assertEquals(Build.Outcome.BUILT, r.outcome(), r.findings().toString());
        assertTrue(r.built());
        assertEquals(List.of(), r.findings());
        assertEquals(3, r.allocation().vms().size());
        assertTrue(r.written().contains(dir.resolve("system.dtb")), r.written().toString());
        assertTrue(Files.isRegularFile(dir.resolve("vm/svm1.dtb")));
    }

    /** The RM's refusal of an emitted blob sits at the VM's entry in the plan, with the RM function as its rule. */
    @Test
    void anRmRefusalIsAFindingAtTheVmsPlanEntry(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path plan = BUILD.resolve("rm-refuses/vms.yaml");
        Build.Result r = Build.run(Build.Board.dir(BUILD.resolve("rm-refuses")), options(out, true));
        assertEquals(Build.Outcome.RM_REFUSED, r.outcome());
        assertEquals(1, r.refusals().size());
        Build.Refusal x = r.refusals().get(0);
        assertEquals("svm", x.vm());
        assertEquals(out.resolve("vm/svm.dtb"), x.file());
        Finding f = x.finding();
        assertEquals(plan.toString(), f.file());
        assertEquals(11, f.line());
        assertEquals(5, f.column());
        assertEquals("rm/vm_config_update_parsed", f.rule());
        assertEquals(Severity.ERROR, f.severity());
        assertEquals("/qcom,vm-config/memory", f.node());
        assertEquals("base-address", f.property());
        assertEquals("the Gunyah RM would refuse vm/svm.dtb (vmid 0x80): 0x1000000000 is outside a secondary's 36-bit "
                + "IPA space (64 GiB)", f.message());
        assertEquals(List.of(f), r.findings());
        assertTrue(r.written().isEmpty());
        assertFalse(Files.exists(out), "nothing written");
    }

    /** A plan rule's finding carries the plan position as fields, not only inside its text. */
    @Test
    void aPlanRuleIsAPositionedFinding(@TempDir Path dir) throws Exception {
        Path plan = REPO.resolve("boards/broken/vdevice-with-owner/vms.yaml");
        Build.Result r = Build.run(Build.Board.dir(plan.getParent()), options(dir, false));
        assertEquals(Build.Outcome.PLAN_REFUSED, r.outcome());
        Finding f = r.planProblems().get(0);
        assertEquals("vdevice-with-owner", f.rule());
        assertEquals(plan.toString(), f.file());
        assertTrue(f.line() > 0 && f.column() > 0, f.toString());
        assertNull(r.allocation());
        assertEquals(r.planProblems(), r.findings());
    }

    @Test
    void aMissingBoardIsNoInput(@TempDir Path dir) throws Exception {
        Build.Result r = Build.run(Build.Board.dir(dir.resolve("none")), options(dir, true));
        assertEquals(Build.Outcome.NO_INPUT, r.outcome());
        assertEquals(dir.resolve("none") + ": no such board directory", r.problem());
    }

    /** The emitted trees are linted as blobs and named by the path each will have. */
    @Test
    void theEmittedTreesAreLintedAsTheBlobsTheyWillBe(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Build.Result p = Build.run(Build.Board.dir(BUILD.resolve("lint-finding")), options(out, false));
        assertEquals(Build.Outcome.BUILT, p.outcome(), "partition does not lint");
        byte[] svm = Files.readAllBytes(out.resolve("vm/svm.dtb"));
        List<Finding> findings = new EmittedLint().config(
                new ConfigEmitter.Rendered(Map.of("vm/svm.dtb", svm, "plan.json", new byte[0]), Map.of()),
                dir.resolve("target"));
        assertEquals(List.of(dir.resolve("target").resolve("vm/svm.dtb") + ": error: /doorbell@9000000: qcom,label: "
                + "'qcom,label' is a required property [schema: required at "
                + "http://devicetree.org/schemas/gunyah-doorbell.yaml#/required; binding builtin:bindings/gunyah-doorbell.yaml]"),
                findings.stream().map(Finding::text).toList());
    }
}
