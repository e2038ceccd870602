package dev.gunyahdt.dt.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gunyahdt.dt.diag.DtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The overlay cases under src/test/resources/overlay/cases: each has DTS sources and golden
 * blobs that dtc and fdtoverlay 1.6.1 produced (make-golden.sh). OverlayApplier must give
 * fdtoverlay's output byte for byte, or refuse where fdtoverlay refused, with the same
 * libfdt error code.
 */
class OverlayApplierCasesTest {

    static final Path CASES = Paths.get("src/test/resources/overlay/cases");

    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.list(CASES)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    static List<Path> overlaySources(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("ov\\d+\\.dts"))
                    .sorted()
                    .toList();
        }
    }

    static String dtboName(Path src) {
        return src.getFileName().toString().replace(".dts", ".dtbo");
    }

    @Test
    void atLeastTwentyCases() throws IOException {
        assertTrue(cases().size() >= 20, "cases: " + cases().size());
    }

    @TestFactory
    Stream<DynamicTest> appliesLikeFdtoverlay() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : cases()) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                Path golden = dir.resolve("golden");
                byte[] base = Files.readAllBytes(golden.resolve("base.dtb"));
                List<byte[]> overlays = new ArrayList<>();
                for (Path src : overlaySources(dir)) {
                    overlays.add(Files.readAllBytes(golden.resolve(dtboName(src))));
                }
                Path out = golden.resolve("out.dtb");
                if (Files.exists(out)) {
                    byte[] actual = OverlayApplier.apply(base, overlays);
                    assertBytes(Files.readAllBytes(out), actual);
                } else {
                    String err = Files.readString(golden.resolve("error.txt"));
                    String code = err.replaceAll("(?s).*(FDT_ERR_[A-Z]+).*", "$1");
                    DtException e = assertThrows(DtException.class, () -> OverlayApplier.apply(base, overlays));
                    assertTrue(e.getMessage().startsWith("Failed to apply overlay "), e.getMessage());
                    assertTrue(e.getMessage().contains(code), "expected " + code + " in: " + e.getMessage());
                }
            }));
        }
        return tests.stream();
    }

    /** When dtc is installed: the committed goldens are what dtc and fdtoverlay produce now. */
    @TestFactory
    Stream<DynamicTest> goldensMatchInstalledTools() throws IOException {
        assumeTrue(
                Files.isExecutable(Paths.get("/usr/bin/dtc")) && Files.isExecutable(Paths.get("/usr/bin/fdtoverlay")),
                "dtc/fdtoverlay not installed");
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : cases()) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                Path tmp = Files.createTempDirectory("ovcase");
                try {
                    Path golden = dir.resolve("golden");
                    dtc(dir.resolve("base.dts"), tmp.resolve("base.dtb"));
                    assertBytes(
                            Files.readAllBytes(golden.resolve("base.dtb")),
                            Files.readAllBytes(tmp.resolve("base.dtb")));
                    List<String> cmd = new ArrayList<>(List.of(
                            "/usr/bin/fdtoverlay",
                            "-i",
                            tmp.resolve("base.dtb").toString(),
                            "-o",
                            tmp.resolve("out.dtb").toString()));
                    for (Path src : overlaySources(dir)) {
                        Path o = tmp.resolve(dtboName(src));
                        dtc(src, o);
                        assertBytes(Files.readAllBytes(golden.resolve(dtboName(src))), Files.readAllBytes(o));
                        cmd.add(o.toString());
                    }
                    int rc = run(cmd);
                    if (Files.exists(golden.resolve("out.dtb"))) {
                        assertEquals(0, rc);
                        assertBytes(
                                Files.readAllBytes(golden.resolve("out.dtb")),
                                Files.readAllBytes(tmp.resolve("out.dtb")));
                    } else {
                        assertFalse(rc == 0, "fdtoverlay now accepts this case");
                    }
                } finally {
                    try (Stream<Path> s = Files.walk(tmp)) {
                        s.sorted((a, b) -> b.compareTo(a))
                                .forEach(p -> p.toFile().delete());
                    }
                }
            }));
        }
        return tests.stream();
    }

    static void dtc(Path src, Path out) throws Exception {
        String first = Files.readAllLines(src).get(0);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/dtc", "-q", "-I", "dts", "-O", "dtb"));
        if (first.startsWith("// flags: ")) {
            cmd.addAll(List.of(first.substring("// flags: ".length()).trim().split("\\s+")));
        }
        cmd.addAll(List.of("-o", out.toString(), src.toString()));
        assertEquals(0, run(cmd), "dtc failed on " + src);
    }

    static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }

    static void assertBytes(byte[] expected, byte[] actual) {
        if (!java.util.Arrays.equals(expected, actual)) {
            assertEquals(hexdump(expected), hexdump(actual));
        }
        assertArrayEquals(expected, actual);
    }

    static String hexdump(byte[] b) {
        StringBuilder sb = new StringBuilder();
        HexFormat h = HexFormat.of();
        for (int i = 0; i < b.length; i += 16) {
            sb.append(String.format("%04x: ", i))
                    .append(h.formatHex(b, i, Math.min(b.length, i + 16)))
                    .append('\n');
        }
        return sb.toString();
    }
}
