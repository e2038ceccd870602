package dev.gunyahdt.tests;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, acceptance 2 and 6: {@code vm-check} gives the real Resource Manager's verdict. The
 * oracle is the RM's own C code ({@code ../shared/tools/rm-oracle}, built by
 * {@code tests/conformance/rm-oracle-agreement.sh} into a cache); the script prepares the cases
 * and the oracle's verdicts ({@code --manifest-only}): the 15 real Qualcomm VM devicetrees, the
 * oracle's own tests, every secondary {@code build} writes for both boards, and 100 seeded
 * mutations ({@code -Drmo.mutations=N -Drmo.seed=S} for more or others: in-process, a few hundred
 * take about a minute). This test runs {@code vm-check} in-process on each case, with and without
 * {@code --trusted}, and requires the same verdict and VMID for every file and the same exit status;
 * where the oracle aborts (an RM assert or crash), vm-check must refuse the file it aborted on.
 * Skipped, saying why, without clang, libfdt-dev, dtc, cpp, python3 or the oracle's sources.
 */
class RmOracleAgreementTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Pattern VERDICT = Pattern.compile("^(accepted|refused|REJECTED)\\b.*?\\(vmid (0x[0-9a-fA-F]+)\\)");

    @Test
    void vmCheckAgreesWithTheRealResourceManager(@TempDir Path dir) throws IOException, InterruptedException {
        Path oracleSrc = Path.of(System.getenv()
                .getOrDefault(
                        "RM_ORACLE_SRC",
                        REPO.resolveSibling("shared/tools/rm-oracle").toString()));
        String missing = null;
        for (String tool : List.of("clang", "dtc", "cpp", "python3")) {
            if (!EmittedDtValidateTest.onPath(tool)) {
                missing = tool + " is not installed";
            }
        }
        if (!Files.exists(Path.of("/usr/include/libfdt.h"))) {
            missing = "libfdt.h is missing (apt-get install libfdt-dev)";
        }
        if (!Files.exists(oracleSrc.resolve("build.sh"))) {
            missing = "no rm-oracle sources at " + oracleSrc + " (set RM_ORACLE_SRC)";
        }
        if (missing != null) {
            String reason = missing + ": rm-oracle cannot be built, vm-check not compared with the real RM";
            System.out.println("RmOracleAgreementTest skipped: " + reason);
            Assumptions.abort(reason);
        }

        Path gdt = EmittedDtValidateTest.gunyahDtOfThisBuild(dir); // for `build` of the boards
        Path work = dir.resolve("work");
        ProcessBuilder pb = new ProcessBuilder(
                        REPO.resolve("tests/conformance/rm-oracle-agreement.sh").toString(),
                        "--manifest-only",
                        "--work",
                        work.toString(),
                        "--mutations",
                        Integer.getInteger("rmo.mutations", 100).toString(),
                        "--seed",
                        Integer.getInteger("rmo.seed", 1).toString())
                .directory(dir.toFile());
        pb.environment().put("GUNYAH_DT", gdt.toString());
        pb.environment().put("RM_ORACLE_SRC", oracleSrc.toString());
        EmittedDtValidateTest.runToSuccess(pb);

        Map<String, int[]> counts = new TreeMap<>(); // set -> files, agree, oracle aborted
        List<String> disagreements = new ArrayList<>();
        for (String line : Files.readAllLines(work.resolve("manifest.tsv"))) {
            String[] f = line.split("\t");
            String set = f[0], id = f[1], mode = f[2], desc = f[5];
            int oracleExit = Integer.parseInt(f[3]);
            List<String> files = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 6; i + 2 < f.length; i += 3) {
                files.add(f[i]);
                expected.add(f[i + 1] + " " + f[i + 2]);
            }
            List<String> args = new ArrayList<>(List.of("vm-check"));
            if (mode.equals("trusted")) {
                args.add("--trusted");
            }
            args.addAll(files);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = Main.run(
                    args.toArray(String[]::new),
                    new Io(
                            new ByteArrayInputStream(new byte[0]),
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(out, true, StandardCharsets.UTF_8)));
            String text = out.toString(StandardCharsets.UTF_8);
            int[] c = counts.computeIfAbsent(set, k -> new int[3]);
            boolean aborted = oracleExit != 0 && oracleExit != 1; // an RM assert or crash
            for (int i = 0; i < files.size(); i++) {
                c[0]++;
                String got = verdictOf(text, files.get(i));
                boolean agree;
                boolean stop = aborted && !expected.get(i).matches("(accepted|refused) .*");
                if (stop) {
                    // the real RM would die on this file: vm-check must refuse it; nothing after it runs
                    c[2]++;
                    agree = got.startsWith("refused ");
                } else {
                    agree = got.equals(expected.get(i)) && (aborted || exit == oracleExit);
                }
                if (agree) {
                    c[1]++;
                } else {
                    String oracleOut = Files.readString(Path.of(f[4]));
                    disagreements.add("[" + set + "] " + id + " (" + mode + ") " + files.get(i)
                            + (desc.equals("-") ? "" : " -- " + desc)
                            + "\n  rm-oracle (exit " + oracleExit + "): " + expected.get(i) + "\n" + indent(oracleOut)
                            + "  vm-check (exit " + exit + "): " + got + "\n" + indent(text));
                }
                if (stop) {
                    break;
                }
            }
        }
        StringBuilder summary = new StringBuilder();
        counts.forEach((set, c) -> summary.append(String.format(
                "set %s: %d file verdicts, %d agree (the oracle aborted on %d)%n", set, c[0], c[1], c[2])));
        System.out.print(summary);
        // every set is really there: the 15 Qualcomm files x 2 modes, the oracle's 14 files x 2,
        // the 8 emitted secondaries x 2, and the mutations
        assertTrue(
                counts.get("a")[0] >= 30
                        && counts.get("b")[0] >= 28
                        && counts.get("c")[0] >= 16
                        && counts.get("d")[0] >= 150,
                summary.toString());
        assertEquals(
                0,
                disagreements.size(),
                disagreements.size() + " disagreement(s):\n" + String.join("\n", disagreements) + "\n" + summary);
    }

    /** "accepted 0x80" / "refused 0x81" from the line starting with "FILE: ", or "missing -". */
    static String verdictOf(String output, String file) {
        for (String line : output.split("\n")) {
            if (line.startsWith(file + ": ")) {
                Matcher m = VERDICT.matcher(line.substring(file.length() + 2));
                if (m.find()) {
                    return (m.group(1).equals("accepted") ? "accepted" : "refused") + " "
                            + m.group(2).toLowerCase();
                }
                return "unreadable -";
            }
        }
        return "missing -";
    }

    static String indent(String text) {
        StringBuilder b = new StringBuilder();
        text.lines().limit(30).forEach(l -> b.append("    | ").append(l).append('\n'));
        return b.toString();
    }
}
