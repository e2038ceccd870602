package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.hypervisor.rm.config.RmCheckFailure;
import dev.gunyahdt.hypervisor.rm.config.VmDtParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Qualcomm VM devicetrees (tests/src/test/resources/qcom-vm/, see its PROVENANCE.md) through
 * {@code gunyah-dt lint} on their DTBs: under {@code /qcom,vm-config} the Gunyah bindings flag a file exactly
 * when the real RM's parse ({@link VmDtParser}, the port vm-check uses) refuses it, and then at the node and
 * property the RM names. Skipped, saying why, where that test data is not in the tree.
 */
class QcomVmConfigLintTest {

    static final Path QCOM = Path.of("..").toAbsolutePath().normalize().resolve("tests/src/test/resources/qcom-vm");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void bindingsFlagAQualcommConfigExactlyWhenTheRmParseRefusesIt() throws IOException {
        Assumptions.assumeTrue(
                Files.isDirectory(QCOM),
                "no real Qualcomm VM devicetrees at " + QCOM + " (they come with the rm-oracle test data)");
        List<Path> sources;
        try (Stream<Path> s = Files.list(QCOM)) {
            sources = s.filter(Files::isDirectory)
                    .filter(d -> !d.getFileName().toString().equals("include"))
                    .flatMap(d -> {
                        try {
                            return Files.list(d).filter(f -> f.toString().endsWith(".dts")).toList().stream();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .sorted()
                    .toList();
        }
        assertFalse(sources.isEmpty(), "no .dts under " + QCOM);
        int clean = 0;
        List<String> wrong = new ArrayList<>();
        for (Path dts : sources) {
            String name = dts.getFileName().toString().replace(".dts", "");
            Path dtb = tmp.resolve(name + ".dtb");
            LintCommandTest.Run dtc = LintCommandTest.run(
                    "dtc",
                    "-q",
                    "-i",
                    dts.getParent().toString(),
                    "-i",
                    QCOM.resolve("include").toString(),
                    "-o",
                    dtb.toString(),
                    dts.toString());
            assertEquals(0, dtc.status(), name + ": " + dtc.err());
            LintCommandTest.Run lint = LintCommandTest.run("lint", "--format", "json", dtb.toString());
            List<String> findings = new ArrayList<>();
            for (JsonNode f : JSON.readTree(lint.out())) {
                if (!f.get("schema").isNull() && f.get("node").asText().startsWith("/qcom,vm-config")) {
                    findings.add(
                            f.get("node").asText() + " " + f.get("property").asText());
                }
            }
            String refusal = rmParseRefusal(dts);
            if (refusal == null) {
                clean++;
                if (!findings.isEmpty()) {
                    wrong.add(name + ": the RM's parse accepts it, the bindings report " + findings);
                }
            } else if (!findings.contains(refusal)) {
                wrong.add(name + ": the RM's parse refuses it at " + refusal + ", the bindings report " + findings);
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(clean >= 6, "at least six files the RM parses (" + clean + " of " + sources.size() + ")");
    }

    /** Where the RM's DT parse refuses the file ("node property"), or null when it parses it. */
    static String rmParseRefusal(Path dts) {
        Compiler c = new Compiler(CompileOptions.defaults()
                .withIncludeDirs(List.of(dts.getParent(), QCOM.resolve("include")))
                .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB));
        Compilation compiled = c.compile(dts, null, "-");
        DeviceTree tree = compiled.tree();
        assertTrue(tree != null, dts + ": " + compiled.messages());
        try {
            VmDtParser.parse(tree);
            return null;
        } catch (RmCheckFailure f) {
            assertEquals(RmCheckFailure.Stage.PARSE, f.stage(), f.describe());
            return f.path() + " " + f.property();
        }
    }
}
