package dev.gunyahdt.dt.compile;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Corners of the source language the kernel corpus never reaches (issue 10): character and
 * string escapes, backslash-escaped names, labels deleted and re-added under -@, /incbin/ under
 * -O dts, /plugin/ sources mixing root blocks and fragments. Each source in
 * {@code corner-cases.txt} is compiled by dtc 1.6.1 and gunyah-dt to a blob and to -O dts, plain
 * and with -@: same verdict, same bytes (skipped without /usr/bin/dtc). The issue's cases also
 * have assertions of their own, which hold without dtc.
 */
class DtcCornerCasesTest {

    @TempDir
    static Path dir;

    record Case(String name, String what, Path file) {
        @Override
        public String toString() {
            return name + ": " + what;
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    @BeforeAll
    static void writeSources() throws IOException {
        Files.write(dir.resolve("blob.bin"), "ABCDEFGH".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("str.bin"), "ab\0cd\0".getBytes(StandardCharsets.ISO_8859_1));
        String text;
        try (InputStream in = DtcCornerCasesTest.class.getResourceAsStream("corner-cases.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        CASES.clear();
        String name = null;
        String what = null;
        StringBuilder src = new StringBuilder();
        for (String line : (text + "== end: \n").split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("== ")) {
                if (name != null) {
                    Path f = dir.resolve(name + ".dts");
                    Files.writeString(f, src, StandardCharsets.ISO_8859_1);
                    CASES.add(new Case(name, what, f));
                }
                int colon = line.indexOf(':');
                name = line.substring(3, colon);
                what = line.substring(colon + 1).strip();
                src.setLength(0);
            } else {
                src.append(line).append('\n');
            }
        }
    }

    static Stream<Case> cases() throws IOException {
        if (CASES.isEmpty()) {
            dir = Files.createTempDirectory("dtc-corner");
            writeSources();
        }
        return CASES.stream();
    }

    static boolean dtcInstalled() {
        return DtcDifferential.dtcInstalled();
    }

    @ParameterizedTest
    @MethodSource("cases")
    @EnabledIf("dtcInstalled")
    void sameVerdictAndBytesAsDtc(Case c) throws Exception {
        Path scratch = dir.resolve(c.name + ".out");
        for (DtcDifferential.Mode mode : DtcDifferential.Mode.values()) {
            DtcDifferential.Result r = DtcDifferential.compare(c.file, mode, scratch);
            assertTrue(r.agree(), r.describe());
        }
    }

    // ---- the issue's six cases, checked without dtc --------------------------------------

    private static String dts(String source, boolean symbols) throws IOException {
        Path f = Files.writeString(dir.resolve("own.dts"), source, StandardCharsets.ISO_8859_1);
        DtcDifferential.Outcome o =
                DtcDifferential.ours(f, symbols ? DtcDifferential.Mode.DTS_SYMBOLS : DtcDifferential.Mode.DTS);
        assertNotNull(o.output(), o.messages());
        return new String(o.output(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void pluginRootBlockAfterFragmentsKeepsThem() throws Exception {
        String out =
                dts("/dts-v1/;\n/plugin/;\n&foo { a = <1>; };\n&{/bar} { b = <&foo>; };\n/ { c = <2>; };\n", false);
        assertTrue(out.contains("fragment@0 {") && out.contains("fragment@1 {") && out.contains("c = <0x02>;"), out);
        assertTrue(out.contains("foo = \"/fragment@0:target:0\", \"/fragment@1/__overlay__:b:0\";"), out);
    }

    @Test
    void charLiteralsAreUnsignedBytes() throws Exception {
        String out = dts("/dts-v1/;\n/ { a = <'\\xff'>; b = /bits/ 16 <'\\xff'>; c = /bits/ 64 <'\\377'>; };\n", false);
        assertTrue(
                out.contains("a = <0xff>;")
                        && out.contains("b = /bits/ 16 <0xff>;")
                        && out.contains("c = /bits/ 64 <0xff>;"),
                out);
    }

    @Test
    void backslashEscapedNames() throws Exception {
        String out = dts("/dts-v1/;\n/ { \\#gpio-cells = <2>; \\n@1 { }; };\n", false);
        assertTrue(out.contains("#gpio-cells = <0x02>;") && out.contains("n@1 {"), out);
    }

    @Test
    void deletedAndReaddedLabelledNodeKeepsPhandleAndSymbolsUnderSymbols() throws Exception {
        String out = dts("/dts-v1/;\n/ { l1: l2: n { x; }; };\n/ { /delete-node/ n; };\n/ { n { y; }; };\n", true);
        assertTrue(out.contains("phandle = <0x01>;") && out.contains("__symbols__ {\n\t};"), out);
        out = dts("/dts-v1/;\n/ { l1: n { x; }; };\n/ { /delete-node/ n; };\n/ { l1: n { y; }; };\n", true);
        assertTrue(out.contains("phandle = <0x01>;") && out.contains("l1 = \"/n\";"), out);
    }

    @Test
    void incbinSliceIsUntypedInDtsOutput() throws Exception {
        String out =
                dts("/dts-v1/;\n/ { a = /incbin/(\"blob.bin\", 2, 4); b = /incbin/(\"blob.bin\", 2, 3); };\n", false);
        assertTrue(out.contains("a = <0x43444546>;") && out.contains("b = [43 44 45];"), out);
    }
}
