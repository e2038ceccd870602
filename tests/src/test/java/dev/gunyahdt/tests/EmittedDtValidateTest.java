package dev.gunyahdt.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code tests/conformance/emitted-dt-validate.sh}: the configs {@code build} writes for both
 * boards and the test boards lint clean, give dtc 1.6.1 no warning, and pass dt-validate 2022.08
 * with the Gunyah bindings; the binding examples pass dt-validate. Needs dtc and dt-schema
 * (Debian {@code device-tree-compiler}, {@code dt-schema}); skipped, saying so, without them.
 */
class EmittedDtValidateTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** A {@code gunyah-dt} command in dir that runs this build's classes, not the launcher (which would rebuild the jar). */
    static Path gunyahDtOfThisBuild(Path dir) throws IOException {
        Path gdt = dir.resolve("gunyah-dt");
        Files.writeString(
                gdt,
                "#!/bin/sh\nexec java -Xss16m -cp '" + System.getProperty("java.class.path")
                        + "' dev.gunyahdt.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(gdt, PosixFilePermissions.fromString("rwxr-xr-x"));
        return gdt;
    }

    /** Runs a conformance script (output merged), prints its output and requires exit 0 within 10 minutes. */
    static String runToSuccess(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), out);
        System.out.print(out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void everyEmittedTreePassesLintDtcAndDtValidate(@TempDir Path dir) throws IOException, InterruptedException {
        for (String tool : List.of("dt-validate", "dt-mk-schema", "dtc", "python3")) {
            if (!onPath(tool)) {
                String reason = tool + " is not installed (apt-get install dt-schema device-tree-compiler): "
                        + "emitted-dt-validate.sh not run";
                System.out.println("EmittedDtValidateTest skipped: " + reason);
                Assumptions.abort(reason);
            }
        }
        Path gdt = gunyahDtOfThisBuild(dir);
        ProcessBuilder pb = new ProcessBuilder(
                        REPO.resolve("tests/conformance/emitted-dt-validate.sh").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true);
        pb.environment().put("GUNYAH_DT", gdt.toString());
        String out = runToSuccess(pb);
        List<String> pass = out.lines().filter(l -> l.startsWith("PASS ")).toList();
        // 4 + 8 + 3 + 3 emitted DTBs, then 7 binding examples
        assertEquals(25, pass.size(), out);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("FAIL ")), out);
        for (String vm : List.of("qemu-virt/vm/svm1.dtb", "soc-2cluster/vm/audio.dtb", "vm-4gib/vm/svm.dtb")) {
            assertTrue(
                    pass.contains(
                            "PASS " + vm + ": lint ok, dtc ok, dtv ok, /qcom,vm-config matched gunyah-vm-config.yaml"),
                    out);
        }
        assertTrue(out.contains("== 18 emitted DTBs checked; all pass"), out);
    }
}
