package dev.gunyahdt.tests;

import static org.junit.jupiter.api.Assertions.*;

import dev.gunyahdt.cli.Io;
import dev.gunyahdt.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, acceptance 5: every broken source and every corrupt blob gives a clear error
 * (file:line:col for sources), exit status 1, no stack trace, no hang, and no output file.
 */
class BadInputTest {

    @TempDir
    Path dir;

    /** Broken sources: name → text. Each must be rejected with an error, not only warnings. */
    static Map<String, String> brokenSources() {
        String v1 = "/dts-v1/;\n";
        Map<String, String> m = new LinkedHashMap<>();
        m.put("missing-semicolon-after-node", v1 + "/ {\n\tn { }\n};\n");
        m.put("missing-semicolon-at-end", v1 + "/ {\n\ta = <1>;\n}\n");
        m.put("unterminated-string", v1 + "/ {\n\ta = \"abc;\n};\n");
        m.put("property-after-subnode", v1 + "/ {\n\tn { };\n\tp = <1>;\n};\n");
        m.put("unknown-phandle-label", v1 + "/ {\n\tp = <&nope>;\n};\n");
        m.put("unknown-path-reference", v1 + "/ {\n\tp = &nope;\n};\n");
        m.put("unknown-path-in-braces", v1 + "/ {\n\tp = <&{/no/such}>;\n};\n");
        m.put("merge-unknown-label", v1 + "/ { };\n&nope { };\n");
        m.put("merge-unknown-path", v1 + "/ { };\n&{/no/such} { };\n");
        m.put("delete-unknown-label", v1 + "/ { };\n/delete-node/ &nope;\n");
        m.put("omit-unknown-label", v1 + "/ { };\n/omit-if-no-ref/ &nope;\n");
        m.put("division-by-zero", v1 + "/ {\n\ta = <(5 / 0)>;\n};\n");
        m.put("modulo-by-zero", v1 + "/ {\n\ta = <(5 % 0)>;\n};\n");
        m.put("bad-bits-width", v1 + "/ {\n\ta = /bits/ 7 <1>;\n};\n");
        m.put("value-out-of-range-8", v1 + "/ {\n\ta = /bits/ 8 <300>;\n};\n");
        m.put("value-out-of-range-16", v1 + "/ {\n\ta = /bits/ 16 <0x10000>;\n};\n");
        m.put("reference-in-16-bit-array", v1 + "/ {\n\tn: n { };\n};\n/ { a = /bits/ 16 <&n>; };\n");
        m.put("missing-dts-v1", "/ {\n\ta = <1>;\n};\n");
        m.put("plugin-before-version", "/plugin/;\n/dts-v1/;\n/ { };\n");
        m.put("unclosed-root", v1 + "/ {\n\ta = <1>;\n");
        m.put("stray-closing-brace", v1 + "/ { };\n};\n");
        m.put("garbage-character", v1 + "/ {\n\ta = <1> $;\n};\n");
        m.put("bad-node-name-char", v1 + "/ {\n\tno$de { };\n};\n");
        m.put("bad-hex-literal", v1 + "/ {\n\ta = <0x>;\n};\n");
        m.put("bad-octal-literal", v1 + "/ {\n\ta = <08>;\n};\n");
        m.put("bad-literal-suffix", v1 + "/ {\n\ta = <1LUL>;\n};\n");
        m.put("literal-too-large", v1 + "/ {\n\ta = /bits/ 64 <0x1ffffffffffffffff>;\n};\n");
        m.put("char-literal-too-long", v1 + "/ {\n\ta = <'ab'>;\n};\n");
        m.put("empty-char-literal", v1 + "/ {\n\ta = <''>;\n};\n");
        m.put("missing-include", v1 + "#include \"no-such-file.dtsi\"\n/ { };\n");
        m.put("missing-dtc-include", v1 + "/include/ \"no-such-file.dtsi\"\n/ { };\n");
        m.put("missing-incbin", v1 + "/ {\n\ta = /incbin/(\"no-such.bin\");\n};\n");
        m.put("error-directive", v1 + "#error board not supported\n/ { };\n");
        m.put("unterminated-if", v1 + "#if 1\n/ { };\n");
        m.put("else-without-if", v1 + "#else\n/ { };\n");
        m.put("endif-without-if", v1 + "/ { };\n#endif\n");
        m.put("unterminated-comment", v1 + "/* never closed\n/ { };\n");
        m.put("duplicate-node-names", v1 + "/ {\n\tn { };\n\tn { };\n};\n");
        m.put("duplicate-property-names", v1 + "/ {\n\ta = <1>;\n\ta = <2>;\n};\n");
        m.put("duplicate-label", v1 + "/ {\n\tl: a { };\n\tl: b { };\n};\n");
        m.put("explicit-phandle-zero", v1 + "/ {\n\tn { phandle = <0>; };\n};\n");
        m.put("explicit-phandle-minus-one", v1 + "/ {\n\tn { phandle = <0xffffffff>; };\n};\n");
        m.put("explicit-phandle-duplicate", v1 + "/ {\n\ta { phandle = <1>; };\n\tb { phandle = <1>; };\n};\n");
        m.put("two-at-signs", v1 + "/ {\n\tn@1@2 { };\n};\n");
        m.put("memreserve-after-root", v1 + "/ { };\n/memreserve/ 0x1000 0x1000;\n");
        m.put("memreserve-missing-size", v1 + "/memreserve/ 0x1000;\n/ { };\n");
        m.put("unbalanced-parentheses", v1 + "/ {\n\ta = <((1 + 2)>;\n};\n");
        m.put("unclosed-cell-list", v1 + "/ {\n\ta = <1 2;\n};\n");
        m.put("bad-byte-string", v1 + "/ {\n\ta = [0g];\n};\n");
        m.put("odd-byte-string", v1 + "/ {\n\ta = [012];\n};\n");
        m.put("empty-value", v1 + "/ {\n\ta = ;\n};\n");
        m.put("missing-comma", v1 + "/ {\n\ta = \"x\" \"y\";\n};\n");
        m.put("dangling-label", v1 + "/ {\n\tl: ;\n};\n");
        m.put("incomplete-ternary", v1 + "/ {\n\ta = <(1 ? 2)>;\n};\n");
        m.put("empty-file", "");
        m.put("only-version", v1);
        m.put("nul-byte", v1 + "/ {\n\ta\0b = <1>;\n};\n");
        m.put("deep-nesting", v1 + "/ {\n" + "n {\n".repeat(5000) + "};\n".repeat(5000) + "};\n");
        m.put("deep-parentheses", v1 + "/ {\n\ta = <" + "(".repeat(5000) + "1" + ")".repeat(5000) + ">;\n};\n");
        m.put("include-loop", v1 + "#include \"include-loop.dts\"\n/ { };\n");
        m.put("macro-explosion", v1 + "#define X0 x\n" + explodingMacros() + "/ {\n\ta = \"X40\";\n\tb = <X40>;\n};\n");
        return m;
    }

    /**
     * Issue 14: file names taken from the input that no path can hold (a NUL) or that name no
     * regular file: source text → expected message, for every verb that reads a source.
     */
    static Map<String, String> badFileNames() {
        String v1 = "/dts-v1/;\n";
        Map<String, String> m = new LinkedHashMap<>();
        m.put(
                v1 + "/include/ \"a\\0b\"\n/ { };\n",
                ":2:11: error: Couldn't open \"a\\0b\": file name contains a NUL character");
        m.put(
                v1 + "/include/ \"a\0b\"\n/ { };\n",
                ":2:11: error: Couldn't open \"a\\0b\": file name contains a NUL character");
        m.put(
                v1 + "/ { a = /incbin/(\"a\\0b\"); };\n",
                ":2:9: error: Couldn't open \"a\\0b\": file name contains a NUL character");
        m.put("#include \"a\0b\"\n" + v1 + "/ { };\n", ":1:10: error: a\\0b: file name contains a NUL character");
        m.put(
                "#if __has_include(\"a\0b\")\n#error found\n#endif\n#include \"/dev/zero\"\n" + v1 + "/ { };\n",
                ":4:10: error: /dev/zero: not a regular file");
        m.put(
                v1 + "/include/ \"/dev/zero\"\n/ { };\n",
                ":2:11: error: Couldn't open \"/dev/zero\": not a regular file");
        m.put(
                v1 + "/ { a = /incbin/(\"/dev/zero\"); };\n",
                ":2:9: error: Couldn't open \"/dev/zero\": not a regular file");
        m.put(v1 + "/include/ \"/\"\n/ { };\n", ":2:11: error: Couldn't open \"/\": not a regular file");
        // a line marker may name any file; /incbin/ beside it then searches only the -i dirs
        m.put(
                v1 + "# 1 \"a\\0b\"\n/ { a = /incbin/(\"c\"); };\n",
                ":1:9: error: Couldn't open \"c\": No such file or directory");
        return m;
    }

    @TestFactory
    Stream<DynamicTest> badFileNamesInTheInputArePositionedErrors() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> e : badFileNames().entrySet()) {
            String name = "bad-file-name-" + i++;
            for (String verb : List.of("dtc", "lint", "inspect", "diff")) {
                tests.add(DynamicTest.dynamicTest(name + " " + verb, () -> {
                    Path src = dir.resolve(name + ".dts");
                    Files.write(src, e.getKey().getBytes(StandardCharsets.ISO_8859_1));
                    Run r = verb.equals("diff") ? run(verb, src.toString(), src.toString()) : run(verb, src.toString());
                    assertEquals(1, r.status, verb + " " + e.getKey() + ": " + r.err + r.out);
                    assertNoStackTrace(r);
                    assertTrue(
                            (r.err + r.out).contains(e.getValue()),
                            verb + ": expected '" + e.getValue() + "' in: " + r.err + r.out);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> aPlanBoardNameWithANulIsAPositionedError() throws IOException {
        Path board = Files.createDirectories(dir.resolve("nul-board"));
        String plan = Files.readString(Path.of("../boards/qemu-virt/vms.yaml"))
                .replaceFirst("(?m)^board:.*$", "board: \"a\\\\0b\"");
        Files.writeString(board.resolve("vms.yaml"), plan);
        return Stream.of("partition", "build", "boot")
                .map(verb -> DynamicTest.dynamicTest(verb, () -> {
                    Run r = run(
                            verb,
                            board.toString(),
                            "-o",
                            dir.resolve("out-" + verb).toString());
                    assertEquals(1, r.status, verb + ": " + r.err);
                    assertNoStackTrace(r);
                    assertTrue(
                            r.err.contains("vms.yaml:4:8: 'board' names a file with a NUL character in its name"),
                            r.err);
                }));
    }

    private static String explodingMacros() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            sb.append("#define X")
                    .append(i)
                    .append(" X")
                    .append(i - 1)
                    .append(" X")
                    .append(i - 1)
                    .append('\n');
        }
        return sb.toString();
    }

    @TestFactory
    Stream<DynamicTest> brokenSourcesAreRejectedWithAPosition() {
        Map<String, String> cases = brokenSources();
        assertTrue(cases.size() >= 50, "at least 50 broken sources, have " + cases.size());
        return cases.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    Path src = dir.resolve(e.getKey() + ".dts");
                    Files.write(src, e.getValue().getBytes(StandardCharsets.ISO_8859_1));
                    Path out = dir.resolve(e.getKey() + ".dtb");
                    Run r = run("dtc", "-o", out.toString(), src.toString());
                    assertEquals(1, r.status, e.getKey() + ": exit status; stderr was:\n" + r.err);
                    assertFalse(Files.exists(out), e.getKey() + ": no output file may be left behind");
                    assertNoStackTrace(r);
                    assertTrue(
                            r.err.contains(src.toString() + ":") || r.err.contains(e.getKey()),
                            e.getKey() + ": the error names the file: " + r.err);
                    assertTrue(
                            r.err.matches("(?s).*:\\d+[.:]\\d+.*"),
                            e.getKey() + ": the error has a line and column: " + r.err);
                }));
    }

    @TestFactory
    Stream<DynamicTest> corruptBlobsAreRejected() throws IOException {
        byte[] good = compile("/dts-v1/;\n/memreserve/ 0x1000 0x2000;\n/ {\n\tmodel = \"m\";\n\t#address-cells = <1>;\n"
                + "\t#size-cells = <1>;\n\tp = <&l>;\n\tl: n@10 {\n\t\treg = <0x10 0x4>;\n\t\tstatus = \"okay\";\n\t};\n"
                + "};\n");
        Map<String, byte[]> cases = corruptions(good);
        assertTrue(cases.size() >= 50, "at least 50 corrupt blobs, have " + cases.size());
        return cases.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    Path blob = dir.resolve(e.getKey() + ".dtb");
                    Files.write(blob, e.getValue());
                    Path out = dir.resolve(e.getKey() + ".dts");
                    Run r = run("dtc", "-I", "dtb", "-O", "dts", "-o", out.toString(), blob.toString());
                    assertEquals(1, r.status, e.getKey() + ": exit status; stderr was:\n" + r.err);
                    assertFalse(Files.exists(out), e.getKey() + ": no output file may be left behind");
                    assertNoStackTrace(r);
                    assertEquals(1, r.err.strip().lines().count(), e.getKey() + ": one error line: " + r.err);
                }));
    }

    /** Each mutation breaks a rule a blob reader must check before believing the blob. */
    static Map<String, byte[]> corruptions(byte[] good) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        int len = good.length;
        int offStruct = be32(good, 8);
        int offStrings = be32(good, 12);
        int offRsv = be32(good, 16);
        int sizeStrings = be32(good, 32);
        int sizeStruct = be32(good, 36);
        for (int cut : new int[] {
            0,
            1,
            3,
            4,
            7,
            8,
            20,
            39,
            40,
            offRsv + 8,
            offStruct,
            offStruct + 4,
            offStruct + 9,
            offStruct + 16,
            offStrings - 4,
            offStrings,
            offStrings + 2,
            len - 1
        }) {
            m.put("truncated-at-" + cut, Arrays.copyOf(good, cut));
        }
        m.put("magic-zero", with32(good, 0, 0));
        m.put("magic-byteswapped", with32(good, 0, 0xedfe0dd0));
        m.put("magic-off-by-one", with32(good, 0, 0xd00dfeee));
        m.put("magic-text", "/dts-v1/; / { };".getBytes(StandardCharsets.US_ASCII));
        m.put("totalsize-zero", with32(good, 4, 0));
        m.put("totalsize-header-only", with32(good, 4, 39));
        m.put("totalsize-past-end", with32(good, 4, len + 1));
        m.put("totalsize-huge", with32(good, 4, 0xfffffff0));
        m.put("struct-offset-past-end", with32(good, 8, len));
        m.put("struct-offset-huge", with32(good, 8, 0xfffffff0));
        m.put("struct-offset-misaligned", with32(good, 8, offStruct + 1));
        m.put("struct-offset-in-header", with32(good, 8, 4));
        m.put("strings-offset-past-end", with32(good, 12, len + 1));
        m.put("strings-offset-huge", with32(good, 12, 0xffffff00));
        m.put("strings-overlap-struct", with32(good, 12, offStruct));
        m.put("rsvmap-offset-past-end", with32(good, 16, len));
        m.put("rsvmap-offset-misaligned", with32(good, 16, offRsv + 4));
        m.put("rsvmap-offset-huge", with32(good, 16, 0xfffffff8));
        m.put("version-zero", with32(good, 20, 0));
        // (a newer version or last_comp_version is no corruption: dtc reads those blobs too)
        m.put("strings-size-huge", with32(good, 32, 0x7fffffff));
        m.put("strings-size-past-end", with32(good, 32, len - offStrings + 1));
        m.put("struct-size-zero", with32(good, 36, 0));
        m.put("struct-size-huge", with32(good, 36, 0x7fffffff));
        m.put("struct-size-misaligned", with32(good, 36, sizeStruct - 2));
        m.put("struct-size-into-strings", with32(good, 36, sizeStruct + sizeStrings + 4));
        m.put("first-token-end", with32(good, offStruct, 9));
        m.put("first-token-prop", with32(good, offStruct, 3));
        m.put("first-token-end-node", with32(good, offStruct, 2));
        m.put("first-token-unknown", with32(good, offStruct, 0x77));
        m.put("root-name-unterminated", fill(good, offStruct + 4, offStrings - offStruct - 4, (byte) 'a'));
        m.put("struct-all-nop", fillWords(good, offStruct, sizeStruct, 4));
        int firstProp = offStruct + 8;
        m.put("prop-length-huge", with32(good, firstProp + 4, 0xfffffff0));
        m.put("prop-length-past-struct", with32(good, firstProp + 4, sizeStruct));
        m.put("prop-nameoff-past-strings", with32(good, firstProp + 8, sizeStrings + 10));
        m.put("prop-nameoff-huge", with32(good, firstProp + 8, 0x7ffffff0));
        m.put("strings-unterminated", fill(good, offStrings, sizeStrings, (byte) 'x'));
        m.put("end-token-missing", with32(good, offStruct + sizeStruct - 4, 4));
        m.put("end-token-is-end-node", with32(good, offStruct + sizeStruct - 4, 2));
        m.put("rsvmap-unterminated", fill(good, offRsv, offStruct - offRsv, (byte) 1));
        m.put("deep-nesting", deepBlob(10000));
        return m;
    }

    private static byte[] compile(String dts) throws IOException {
        Path tmp = Files.createTempFile("good", ".dts");
        Path out = Files.createTempFile("good", ".dtb");
        try {
            Files.writeString(tmp, dts);
            Run r = run("dtc", "-q", "-o", out.toString(), tmp.toString());
            assertEquals(0, r.status, r.err);
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(out);
        }
    }

    /** A structurally valid blob whose nodes nest {@code depth} deep. */
    private static byte[] deepBlob(int depth) {
        ByteBuffer s = ByteBuffer.allocate(depth * 16 + 64);
        for (int i = 0; i < depth; i++) {
            s.putInt(1).putInt(i == 0 ? 0 : 0x6e000000); // BEGIN_NODE "" then "n"
        }
        for (int i = 0; i < depth; i++) {
            s.putInt(2);
        }
        s.putInt(9);
        int structSize = s.position();
        int offRsv = 40;
        int offStruct = offRsv + 16;
        int offStrings = offStruct + structSize;
        ByteBuffer b = ByteBuffer.allocate(offStrings);
        b.putInt(0xd00dfeed)
                .putInt(offStrings)
                .putInt(offStruct)
                .putInt(offStrings)
                .putInt(offRsv)
                .putInt(17)
                .putInt(16)
                .putInt(0)
                .putInt(0)
                .putInt(structSize);
        b.position(offStruct);
        b.put(s.array(), 0, structSize);
        return b.array();
    }

    private static int be32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).getInt();
    }

    private static byte[] with32(byte[] b, int off, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).putInt(off, v);
        return c;
    }

    private static byte[] fill(byte[] b, int off, int n, byte v) {
        byte[] c = b.clone();
        Arrays.fill(c, off, off + n, v);
        return c;
    }

    private static byte[] fillWords(byte[] b, int off, int n, int word) {
        byte[] c = b.clone();
        for (int i = off; i < off + n; i += 4) {
            ByteBuffer.wrap(c).putInt(i, word);
        }
        return c;
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(
                r.err.contains("\tat ") || r.err.contains("Exception") || r.err.contains("internal error"),
                "no stack trace or internal error: " + r.err);
    }

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] status = new int[1];
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            status[0] = Main.run(
                    args,
                    new Io(
                            new ByteArrayInputStream(new byte[0]),
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8)));
        });
        return new Run(status[0], out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
