package dev.gunyahdt.partitioner.emit;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.checks.CheckConfig;
import dev.gunyahdt.dt.checks.CheckResult;
import dev.gunyahdt.dt.checks.Checker;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.dtb.DtbOptions;
import dev.gunyahdt.dt.dtb.DtbWriter;
import dev.gunyahdt.dt.output.OutputFile;
import dev.gunyahdt.dt.print.DtsPrinter;
import dev.gunyahdt.partitioner.allocate.Allocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the bootable config of DESIGN.md §4.2 into a directory: {@code system.dtb}/{@code .dts},
 * {@code vm/<name>.dtb}/{@code .dts}, {@code plan.json}, and for people {@code memory-map.svg} and
 * {@code report.html}. Everything is built and checked in
 * memory first, then each file is written to a temp file beside it and renamed, so a failure
 * leaves no half-written file.
 */
public final class ConfigEmitter {

    private ConfigEmitter() {}

    /** What {@link #render} produced: the files (relative path → bytes) and the checked trees. */
    public record Rendered(
            Map<String, byte[]> files, Map<String, DeviceTree> trees, Map<String, List<String>> dropped) {

        public Rendered(Map<String, byte[]> files, Map<String, DeviceTree> trees) {
            this(files, trees, Map.of());
        }
    }

    /** An emitted tree failed dtc's checks — a bug in the emitter, not in the plan. */
    public static final class EmitException extends RuntimeException {
        public EmitException(String message) {
            super(message);
        }
    }

    /**
     * Builds every file in memory. Each tree goes through dtc's checks (which also resolve its
     * references); any finding is an {@link EmitException}.
     */
    public static Rendered render(Allocation allocation) {
        ConfigTrees trees = ConfigTrees.of(allocation);
        Map<String, DeviceTree> named = new LinkedHashMap<>();
        named.put("system", trees.system());
        for (Map.Entry<String, DeviceTree> e : trees.vms().entrySet()) {
            named.put("vm/" + e.getKey(), e.getValue());
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, DeviceTree> checked = new LinkedHashMap<>();
        List<String> findings = new ArrayList<>();
        for (Map.Entry<String, DeviceTree> e : named.entrySet()) {
            CheckResult r = Checker.run(e.getValue(), CheckConfig.defaults(), e.getKey() + ".dtb");
            for (Diagnostic d : r.diagnostics()) {
                findings.add(d.rendered());
            }
            checked.put(e.getKey(), r.tree());
            files.put(e.getKey() + ".dtb", DtbWriter.write(r.tree(), DtbOptions.defaults()));
            files.put(e.getKey() + ".dts", DtsPrinter.print(r.tree()).getBytes(StandardCharsets.ISO_8859_1));
        }
        if (!findings.isEmpty()) {
            throw new EmitException("emitted trees fail dtc's checks:\n" + String.join("\n", findings));
        }
        files.put("plan.json", PlanJson.render(allocation).getBytes(StandardCharsets.UTF_8));
        String svg = MemoryMapSvg.render(allocation);
        files.put("memory-map.svg", svg.getBytes(StandardCharsets.UTF_8));
        files.put(
                "report.html",
                ReportHtml.render(allocation, svg, trees.dropped()).getBytes(StandardCharsets.UTF_8));
        Map<String, List<String>> dropped = new LinkedHashMap<>();
        for (String name : named.keySet()) {
            dropped.put(
                    name,
                    trees.dropped().getOrDefault(name, List.of()).stream()
                            .map(Object::toString)
                            .toList());
        }
        return new Rendered(files, checked, dropped);
    }

    /** Renders and writes into {@code dir} (created when missing); returns the files written. */
    public static List<Path> emit(Allocation allocation, Path dir) throws IOException {
        return write(render(allocation), dir);
    }

    /**
     * Writes what {@link #render} produced into {@code dir} (created when missing), each file
     * by {@link OutputFile}'s rules; returns the files written. Callers that check the bytes first (build's lint)
     * render, check, then write.
     */
    public static List<Path> write(Rendered r, Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : r.files().entrySet()) {
            Path target = dir.resolve(e.getKey());
            OutputFile.write(target, e.getValue());
            written.add(target);
        }
        return written;
    }
}
