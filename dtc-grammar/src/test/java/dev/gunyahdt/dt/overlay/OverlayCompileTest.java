package dev.gunyahdt.dt.overlay;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.gunyahdt.dt.PhandleFormat;
import dev.gunyahdt.dt.compile.Compilation;
import dev.gunyahdt.dt.compile.CompileOptions;
import dev.gunyahdt.dt.compile.Compiler;
import dev.gunyahdt.dt.dtb.DtbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The overlay cases' sources compiled by gunyah-dt's own pipeline (parse, checks, -A, -@,
 * fixups for /plugin/, write) against the golden blobs dtc 1.6.1 wrote for the same flags:
 * the compiled overlays (and bases) are byte-identical to dtc's.
 */
class OverlayCompileTest {

    /** Compiles one case source with the flags of its "// flags:" line (-@ -A -H -V -b -p). */
    static byte[] compile(Path src) throws Exception {
        String first = Files.readAllLines(src).get(0);
        List<String> flags = first.startsWith("// flags: ")
                ? List.of(first.substring("// flags: ".length()).trim().split("\\s+"))
                : List.of();
        PhandleFormat fmt = PhandleFormat.EPAPR;
        DtbOptions dtb = DtbOptions.defaults();
        long bootCpu = -1;
        for (int i = 0; i < flags.size(); i++) {
            switch (flags.get(i)) {
                case "-H" ->
                    fmt = switch (flags.get(++i)) {
                        case "legacy" -> PhandleFormat.LEGACY;
                        case "both" -> PhandleFormat.BOTH;
                        default -> PhandleFormat.EPAPR;
                    };
                case "-V" -> dtb = dtb.withVersion(Integer.parseInt(flags.get(++i)));
                case "-p" -> dtb = new DtbOptions(dtb.version(), 0, 0, Integer.parseInt(flags.get(++i)), 0);
                case "-b" -> bootCpu = Long.parseLong(flags.get(++i));
                case "-@", "-A" -> {}
                default -> throw new IllegalArgumentException("flag not handled here: " + flags.get(i));
            }
        }
        CompileOptions d = CompileOptions.defaults();
        CompileOptions opts = new CompileOptions(
                CompileOptions.Format.DTS,
                CompileOptions.Format.DTB,
                dtb,
                bootCpu,
                false,
                List.of(),
                false,
                fmt,
                List.of(),
                flags.contains("-@"),
                flags.contains("-A"),
                false,
                d.cpp(),
                d.defines());
        Compilation c = new Compiler(opts).compile(src, null, "out.dtb");
        assertNotNull(c.output(), () -> src + ": " + c.messages());
        return c.output();
    }

    @TestFactory
    Stream<DynamicTest> compiledLikeDtc() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : OverlayApplierCasesTest.cases()) {
            List<Path> srcs = new ArrayList<>();
            srcs.add(dir.resolve("base.dts"));
            srcs.addAll(OverlayApplierCasesTest.overlaySources(dir));
            for (Path src : srcs) {
                String out = src.getFileName().toString().equals("base.dts")
                        ? "base.dtb"
                        : OverlayApplierCasesTest.dtboName(src);
                tests.add(DynamicTest.dynamicTest(
                        dir.getFileName() + "/" + src.getFileName(),
                        () -> OverlayApplierCasesTest.assertBytes(
                                Files.readAllBytes(dir.resolve("golden").resolve(out)), compile(src))));
            }
        }
        return tests.stream();
    }

    /** Both halves ours: our compiled blobs through OverlayApplier give fdtoverlay's output. */
    @TestFactory
    Stream<DynamicTest> compiledThenAppliedLikeFdtoverlay() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : OverlayApplierCasesTest.cases()) {
            Path expected = dir.resolve("golden/out.dtb");
            if (!Files.exists(expected)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                List<byte[]> overlays = new ArrayList<>();
                for (Path src : OverlayApplierCasesTest.overlaySources(dir)) {
                    overlays.add(compile(src));
                }
                OverlayApplierCasesTest.assertBytes(
                        Files.readAllBytes(expected), OverlayApplier.apply(compile(dir.resolve("base.dts")), overlays));
            }));
        }
        return tests.stream();
    }
}
