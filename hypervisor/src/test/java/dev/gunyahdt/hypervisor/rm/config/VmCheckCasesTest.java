package dev.gunyahdt.hypervisor.rm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One descriptor per case: {@code src/test/resources/vm-check/NN-name.dts} says in its second line
 * {@code // expect: accepted} or {@code // expect: refused FUNCTION} (the real RM function whose rule refuses it).
 * Files {@code NN-name.a.dts}, {@code NN-name.b.dts}, … are one sequence, created in that order as VMs 0x80, 0x81, …
 * Every verdict here was taken from rm-oracle (the real RM's code) when the case was written; the oracle
 * comparison test in {@code tests/} re-checks them against it whenever the oracle can be built.
 */
class VmCheckCasesTest {
    private static final Path DIR = Path.of("src/test/resources/vm-check");

    @TestFactory
    Stream<DynamicTest> everyCaseGetsTheRealRmsVerdict() throws IOException {
        Map<String, List<Path>> sequences = new TreeMap<>();
        try (Stream<Path> files = Files.list(DIR)) {
            files.filter(p -> p.toString().endsWith(".dts")).sorted().forEach(p -> {
                String name = p.getFileName().toString().replaceFirst("(\\.[a-z])?\\.dts$", "");
                sequences.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
            });
        }
        assertFalse(sequences.isEmpty());
        return sequences.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    VmCheck check = new VmCheck(false);
                    for (Path p : e.getValue()) {
                        String expect = Files.readAllLines(p).get(1).replaceFirst("^// expect: ", "");
                        Compilation c = new Compiler(CompileOptions.defaults()
                                        .withFormats(CompileOptions.Format.DTS, CompileOptions.Format.DTB))
                                .compile(p, null, "-");
                        assertNotNull(c.tree(), p + " compiles");
                        VmCheck.Verdict v = check.check(p.toString(), c.tree());
                        String got = v.accepted()
                                ? "accepted"
                                : "refused " + v.refusal().function();
                        assertEquals(
                                expect,
                                got,
                                p + (v.accepted() ? "" : ": " + v.refusal().describe()));
                    }
                }));
    }
}
