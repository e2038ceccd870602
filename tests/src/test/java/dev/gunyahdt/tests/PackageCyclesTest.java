package dev.gunyahdt.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.cli.Main;
import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.partitioner.Partitioner;
import dev.gunyahdt.pipeline.Build;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * No module has a package cycle: the package dependencies jdeps reads from each module's compiled classes
 * (its {@code -verbose:package} edges between the module's own packages) form no strongly connected
 * component of two or more packages. jdeps comes with the JDK, so this needs no library. Like any bytecode
 * check it does not see compile-time constants (a {@code static final int} used elsewhere is inlined).
 */
class PackageCyclesTest {
    /** One class from each module: where its classes (a directory or a jar) are. */
    private static final Map<String, Class<?>> MODULES = Map.of(
            "dtc-grammar", DeviceTree.class,
            "bindings", BindingSet.class,
            "partitioner", Partitioner.class,
            "hypervisor", Hypervisor.class,
            "pipeline", Build.class,
            "cli", Main.class);

    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s");

    @Test
    void noModuleHasAPackageCycle() throws Exception {
        Map<String, List<Set<String>>> found = new TreeMap<>();
        for (Map.Entry<String, Class<?>> m : MODULES.entrySet()) {
            Map<String, Set<String>> graph = packageGraph(Path.of(m.getValue()
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI()));
            assertTrue(
                    graph.containsKey(m.getValue().getPackageName()),
                    m.getKey() + ": jdeps reported no dependencies of "
                            + m.getValue().getPackageName());
            List<Set<String>> cycles = cycles(graph);
            if (!cycles.isEmpty()) {
                found.put(m.getKey(), cycles);
            }
        }
        assertEquals(Map.of(), found, "package cycles (each set is one strongly connected component)");
    }

    /** The detector itself finds a cycle, and only the cycle. */
    @Test
    void detectorFindsACycle() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(g));
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b"), "b", Set.of())));
    }

    /** Package → the module's own packages it uses, from {@code jdeps -verbose:package}. */
    private static Map<String, Set<String>> packageGraph(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new AssertionError("no jdeps: this test needs a full JDK, not a JRE"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(
                new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none", classes.toString());
        assertEquals(0, rc, "jdeps " + classes + ": " + err);
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        graph.values().forEach(targets -> targets.retainAll(graph.keySet()));
        return graph;
    }

    /** Strongly connected components of two or more nodes (Tarjan), each sorted, in discovery order. */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(v)) {
                visit(v, graph, index, low, stack, out);
            }
        }
        return out;
    }

    private static void visit(
            String v,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                visit(w, graph, index, low, stack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }
}
