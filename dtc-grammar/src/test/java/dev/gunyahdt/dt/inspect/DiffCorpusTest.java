package dev.gunyahdt.dt.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.checks.CheckConfig;
import dev.gunyahdt.dt.checks.Checker;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbOptions;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.dt.dtb.DtbWriter;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Hand-run check of {@link TreeDiff} at scale: {@code mvn -pl dtc-grammar test
 * -Dtest=DiffCorpusTest -Dcoverage.dir=DIR} with preprocessed sources ({@code *.pp.dts}). Each
 * source is compiled; then it is parsed again and, before the checks resolve its references,
 * every node's children are put in reverse order and phandle properties dropped, so the checks
 * number phandles afresh. The two blobs must diff as equal.
 */
@EnabledIfSystemProperty(named = "coverage.dir", matches = ".+")
class DiffCorpusTest {

    @Test
    void renumberedCorpusTreesDiffEqual() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("coverage.dir")))) {
            files = s.filter(p -> p.toString().endsWith(".pp.dts")).sorted().toList();
        }
        CompileOptions d = CompileOptions.defaults();
        Compiler compiler = new Compiler(new CompileOptions(
                CompileOptions.Format.DTS,
                CompileOptions.Format.DTB,
                d.dtb(),
                -1,
                true,
                List.of(),
                false,
                d.phandles(),
                List.of(),
                false,
                false,
                false,
                false,
                Map.of()));
        int compared = 0;
        int renumbered = 0;
        List<String> unequal = new ArrayList<>();
        for (Path f : files) {
            Compilation c;
            try {
                c = compiler.compile(f, null, "-");
            } catch (DtException e) {
                continue;
            }
            if (c.output() == null || c.tree().plugin()) {
                continue;
            }
            DeviceTree parsed = DtsSource.parse(
                    Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1),
                    f.toString(),
                    new IncludeResolver(List.of()));
            Node shuffled = parsed.root().rewrite((old, n) -> {
                List<Node> kids = new ArrayList<>(n.children());
                Collections.reverse(kids);
                return n.withChildren(kids).withoutProperty("phandle").withoutProperty("linux,phandle");
            });
            DeviceTree again = Checker.run(parsed.withRoot(shuffled), CheckConfig.defaults(), "-")
                    .tree();
            byte[] blob = DtbWriter.write(again, DtbOptions.defaults());
            compared++;
            DeviceTree a = DtbReader.read(c.output(), "a");
            DeviceTree b = DtbReader.read(blob, "b");
            if (!a.phandles().keySet().equals(b.phandles().keySet()) || !samePaths(a, b)) {
                renumbered++;
            }
            List<TreeDiff.Change> changes = TreeDiff.compare(a, b);
            if (!changes.isEmpty()) {
                unequal.add(f.getFileName() + ": " + changes.size() + " changes, first "
                        + changes.get(0).render());
            }
        }
        System.out.printf(
                "diff corpus: %d trees rebuilt, %d with other phandle numbers, %d diff unequal%n",
                compared, renumbered, unequal.size());
        unequal.stream().limit(20).forEach(System.out::println);
        assertEquals(List.of(), unequal);
    }

    private static boolean samePaths(DeviceTree a, DeviceTree b) {
        var pa = a.phandles();
        var pb = b.phandles();
        for (var e : pa.entrySet()) {
            var other = pb.get(e.getKey());
            if (other == null || !other.path().equals(e.getValue().path())) {
                return false;
            }
        }
        return true;
    }
}
