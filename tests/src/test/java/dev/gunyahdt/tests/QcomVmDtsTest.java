package dev.gunyahdt.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.cli.Io;
import dev.gunyahdt.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, acceptance 4: the real Qualcomm VM devicetrees in {@code src/test/resources/qcom-vm}
 * (unchanged; {@code PROVENANCE.md}) compile with {@code gunyah-dt dtc} to the same bytes as the
 * kernel's {@code cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp} + dtc 1.6.1. Skipped, saying
 * so, without {@code /usr/bin/dtc} or {@code cpp}.
 */
class QcomVmDtsTest {

    static final Path QCOM = Path.of("src/test/resources/qcom-vm").toAbsolutePath();

    @TempDir
    Path dir;

    static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(QCOM)) {
            return s.filter(p -> p.toString().endsWith(".dts")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> compileLikeCppAndDtc() throws IOException {
        List<Path> dts = sources();
        assertTrue(dts.size() >= 15, "the 15 Qualcomm VM devicetrees are there: " + dts);
        return dts.stream()
                .map(src -> DynamicTest.dynamicTest(QCOM.relativize(src).toString(), () -> {
                    if (!Files.isExecutable(Path.of("/usr/bin/dtc")) || !EmittedDtValidateTest.onPath("cpp")) {
                        Assumptions.abort("dtc or cpp is not installed: nothing to compare with");
                    }
                    String name = src.getFileName().toString().replace(".dts", "");
                    Path pp = dir.resolve(name + ".pp");
                    Path ref = dir.resolve(name + ".ref.dtb");
                    Path ours = dir.resolve(name + ".dtb");
                    exec(
                            "cpp",
                            "-nostdinc",
                            "-undef",
                            "-D__DTS__",
                            "-x",
                            "assembler-with-cpp",
                            "-I",
                            src.getParent().toString(),
                            "-I",
                            QCOM.resolve("include").toString(),
                            src.toString(),
                            "-o",
                            pp.toString());
                    exec("/usr/bin/dtc", "-q", "-I", "dts", "-O", "dtb", "-o", ref.toString(), pp.toString());
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
                    int status = Main.run(
                            new String[] {
                                "dtc",
                                "-q",
                                "-i",
                                QCOM.resolve("include").toString(),
                                "-o",
                                ours.toString(),
                                src.toString()
                            },
                            new Io(new ByteArrayInputStream(new byte[0]), ps, ps));
                    assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
                    assertArrayEquals(
                            Files.readAllBytes(ref),
                            Files.readAllBytes(ours),
                            name + ": not the bytes cpp + dtc write");
                }));
    }

    static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }
}
