package dev.gunyahdt.partitioner.rules;

import dev.gunyahdt.partitioner.TestBoards;
import dev.gunyahdt.partitioner.plan.PlanException;
import dev.gunyahdt.dt.diag.Finding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One small broken plan per rule (src/test/resources/broken/RULE/vms.yaml, all on
 * broken/board.dts): each fails with exactly its own rule, and the messages are the reviewed
 * ones in RULE/expected.txt (written by running this test with -Dbroken.write=true, then read
 * line by line). Positions are relative to the partitioner module, where surefire runs.
 */
class BrokenPlansTest {

    static final Path DIR = Path.of("src/test/resources/broken");

    static Stream<String> rules() {
        return Rules.ALL.stream().map(Rule::name);
    }

    @Test
    void everyRuleHasABrokenPlan() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            List<String> dirs = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            for (Rule r : Rules.ALL) {
                assertTrue(dirs.contains(r.name()), "no broken plan for " + r.name());
            }
        }
    }

    @Test
    void theGoodPlanOnTheSameBoardAllocates() {
        var a = TestBoards.partition(DIR.resolve("ok/vms.yaml"));
        assertEquals("[0x80000000+0x8000000]", a.vm("hlos").orElseThrow().memory().stream().toList().toString());
        assertEquals(List.of(2, 3), a.vm("svm").orElseThrow().cpus());
        assertEquals("[2, 5]", a.vm("hlos").orElseThrow().spis().toString());
    }

    @ParameterizedTest
    @MethodSource("rules")
    void failsWithItsRule(String rule) throws IOException {
        Path plan = DIR.resolve(rule).resolve("vms.yaml");
        PlanException e = assertThrows(PlanException.class, () -> TestBoards.partition(plan));
        String got = e.problems().stream().map(PlanException::describe).collect(Collectors.joining("\n")) + "\n";
        Path expected = DIR.resolve(rule).resolve("expected.txt");
        if (Boolean.getBoolean("broken.write")) {
            Files.writeString(expected, got, StandardCharsets.UTF_8);
        }
        for (Finding p : e.problems()) {
            assertEquals(rule, p.rule(), got);
            assertEquals(plan.toString(), p.file(), "a rule finding is at its place in the plan: " + p);
            assertTrue(p.line() != null && p.line() > 0 && p.column() != null && p.column() > 0, p.toString());
        }
        assertEquals(Files.readString(expected, StandardCharsets.UTF_8), got);
    }
}
