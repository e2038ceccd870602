package dev.gunyahdt.dt.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Marker;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.dtb.DtbReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Hand-run measurement: {@code mvn -pl dtc-grammar test -Dtest=RefCoverageCorpusTest
 * -Dcoverage.dir=DIR}, DIR holding preprocessed sources ({@code *.pp.dts}). Each is compiled;
 * the phandle cells the source wrote as references are compared with those {@link Inspection}
 * finds in the plain blob (no __symbols__, no fixups: only the standard-property walk). Prints
 * the share recovered and the properties most often missed; fails on any cell found that the
 * source did not write as a reference.
 */
@EnabledIfSystemProperty(named = "coverage.dir", matches = ".+")
class RefCoverageCorpusTest {

    @Test
    void referencesRecoveredFromPlainBlobs() throws Exception {
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
        long total = 0;
        long found = 0;
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> missed = new TreeMap<>();
        for (Path f : files) {
            Compilation c;
            try {
                c = compiler.compile(f, null, "-");
            } catch (DtException e) {
                continue; // /include/ relative to the original source: not findable from the .pp copy
            }
            if (c.output() == null) {
                continue;
            }
            Inspection blob = Inspection.of(DtbReader.read(c.output(), f.toString()));
            DeviceTree src = c.tree();
            for (NodeCursor cur : src.allNodes()) {
                for (Property p : cur.node().properties()) {
                    Set<Integer> want = new HashSet<>();
                    for (Marker m : p.value().markers()) {
                        if (m.kind() == Marker.Kind.REF_PHANDLE) {
                            want.add(m.offset());
                        }
                    }
                    Set<Integer> got = new HashSet<>();
                    for (CellRef r : blob.references(cur.path(), p.name())) {
                        got.add(r.offset());
                        if (!want.contains(r.offset())) {
                            wrong.add(f.getFileName() + " " + cur.path() + ":" + p.name() + " @" + r.offset());
                        }
                    }
                    for (int w : want) {
                        total++;
                        if (got.contains(w)) {
                            found++;
                        } else {
                            missed.merge(p.name(), 1, Integer::sum);
                        }
                    }
                }
            }
        }
        System.out.printf(
                "source references %d, recovered from plain blobs %d (%.2f%%)%n", total, found, 100.0 * found / total);
        missed.entrySet().stream()
                .sorted((a, b) -> b.getValue() - a.getValue())
                .limit(20)
                .forEach(e -> System.out.println("  missed " + e.getValue() + " " + e.getKey()));
        assertEquals(List.of(), wrong);
    }
}
