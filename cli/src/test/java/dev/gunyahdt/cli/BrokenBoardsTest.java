package dev.gunyahdt.cli;

import static dev.gunyahdt.cli.PartitionCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.partitioner.rules.Rule;
import dev.gunyahdt.partitioner.rules.Rules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * boards/broken (issue 4, acceptance 2): every folder's plan fails {@code partition} with its own
 * rule only, at a position in its own vms.yaml, writes nothing, and prints exactly what the
 * README shows for it.
 */
class BrokenBoardsTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path BROKEN = REPO.resolve("boards/broken");
    /** The plan loader's own check; it runs before Rules.ALL and has a folder too. */
    static final String UNKNOWN_KEY = "unknown-key";
    /** {@code rule: path/vms.yaml:line:col: message} */
    static final Pattern PROBLEM = Pattern.compile("([a-z-]+): (\\S+?vms\\.yaml):(\\d+):(\\d+): .+");

    static List<String> folders() throws IOException {
        try (Stream<Path> s = Files.list(BROKEN)) {
            return s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void thereIsOneFolderPerRuleAndNoOther() throws IOException {
        Set<String> expected = new TreeSet<>(Rules.ALL.stream().map(Rule::name).collect(Collectors.toSet()));
        expected.add(UNKNOWN_KEY);
        assertEquals(expected, new TreeSet<>(folders()));
    }

    @TestFactory
    Stream<DynamicTest> eachPlanFailsWithItsRuleOnly() throws IOException {
        String readme = Files.readString(BROKEN.resolve("README.md"));
        return folders().stream()
                .map(rule -> DynamicTest.dynamicTest(rule, () -> {
                    Path dir = BROKEN.resolve(rule);
                    Path out = dir.resolve("out-must-not-exist");
                    PartitionCommandTest.Run r = run("partition", "../boards/broken/" + rule, "-o", out.toString());
                    assertEquals(1, r.status(), r.err());
                    assertEquals("", r.out());
                    assertFalse(Files.exists(out));
                    List<String> lines = r.err().lines().toList();
                    assertTrue(lines.size() >= 2, r.err());
                    assertEquals(
                            (lines.size() - 1) + " problem(s) in the plan; nothing written",
                            lines.get(lines.size() - 1));
                    String plan = "../boards/broken/" + rule + "/vms.yaml";
                    for (String line : lines.subList(0, lines.size() - 1)) {
                        Matcher m = PROBLEM.matcher(line);
                        assertTrue(m.matches(), line);
                        assertEquals(rule, m.group(1), line);
                        assertEquals(plan, m.group(2), line);
                        assertTrue(Integer.parseInt(m.group(3)) > 1, line); // line 1 is the comment, never the fault
                        // the README shows the output from the repository root, where the paths have no "../"
                        String fromRoot = line.replace("../boards/", "boards/");
                        assertTrue(readme.contains("\n" + fromRoot + "\n"), "README.md lacks: " + fromRoot);
                    }
                }));
    }

    /** The board is fine: a plan within the rules partitions on it, so the failures come from the plans. */
    @Test
    void theBoardItselfPartitions(@TempDir Path tmp) throws IOException {
        Path plan = tmp.resolve("vms.yaml");
        Files.writeString(plan, """
                board: unused.dts
                hypervisor:
                  size: 32MiB
                vms:
                  - name: hlos
                    primary: true
                    memory: 128MiB
                    vcpus: 1
                    devices: [serial0, rtc]
                  - name: svm
                    memory: 256MiB
                    vcpus: 2
                    scheduling: pinned
                    affinity: [{mpidr: 0x100}, 3]
                """);
        Path out = tmp.resolve("out");
        PartitionCommandTest.Run r =
                run("partition", BROKEN.resolve("board.dts").toString(), plan.toString(), "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("""
                VM    VMID  memory                            CPUs          SPIs  VIRQs
                hlos  0x3   0x80000000-0x87ffffff (128MiB)    0 (pinned)    2,5   960-961
                svm   0x80  0x100000000-0x10fffffff (256MiB)  2-3 (pinned)  -     960-961
                hypervisor: 0x11e000000-0x11fffffff (32MiB)
                """), r.out());
        assertTrue(Files.isRegularFile(out.resolve("vm/svm.dtb")));
    }
}
