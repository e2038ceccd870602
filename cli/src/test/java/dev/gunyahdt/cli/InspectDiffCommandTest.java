package dev.gunyahdt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectDiffCommandTest {

    static final String BOARD = """
            /dts-v1/;
            / {
            	#address-cells = <1>;
            	#size-cells = <1>;
            	interrupt-parent = <&gic>;
            	gic: interrupt-controller@1000 {
            		compatible = "arm,gic-400";
            		#interrupt-cells = <3>;
            		interrupt-controller;
            		reg = <0x1000 0x1000>;
            	};
            	clk: clock {
            		#clock-cells = <0>;
            	};
            	uart0: serial@2000 {
            		reg = <0x2000 0x100>;
            		interrupts = <0 7 4>;
            		clocks = <&clk>;
            	};
            };
            """;

    /** The same tree with its nodes in another order: other phandle numbers. */
    static final String REORDERED = """
            /dts-v1/;
            / {
            	#address-cells = <1>;
            	#size-cells = <1>;
            	interrupt-parent = <&gic>;
            	clk: clock {
            		#clock-cells = <0>;
            	};
            	uart0: serial@2000 {
            		clocks = <&clk>;
            		interrupts = <0 7 4>;
            		reg = <0x2000 0x100>;
            	};
            	gic: interrupt-controller@1000 {
            		compatible = "arm,gic-400";
            		#interrupt-cells = <3>;
            		interrupt-controller;
            		reg = <0x1000 0x1000>;
            	};
            };
            """;

    static final String OVERLAY = """
            /dts-v1/;
            /plugin/;
            &uart0 { status = "okay"; clocks = <&clk>; };
            """;

    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {}

    private static Run run(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(
                args, new Io(new ByteArrayInputStream(stdin), new PrintStream(out, true), new PrintStream(err, true)));
        return new Run(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    private static Run run(String... args) {
        return run(new byte[0], args);
    }

    private Path file(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.ISO_8859_1);
        return p;
    }

    /** A blob compiled by the dtc verb. */
    private Path blob(String name, String dts, boolean symbols) throws Exception {
        Path src = file(name + ".dts", dts);
        Path out = tmp.resolve(name);
        Run r = symbols
                ? run("dtc", "-q", "-@", "-O", "dtb", "-o", out.toString(), src.toString())
                : run("dtc", "-q", "-O", "dtb", "-o", out.toString(), src.toString());
        assertEquals(0, r.status, r.err);
        return out;
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
    }

    @Test
    void helpForBothVerbs() {
        Run i = run("inspect", "--help");
        assertEquals(0, i.status);
        assertTrue(i.out.contains("gunyah-dt inspect FILE [--path P] [--format dts|tree|json]"), i.out);
        assertTrue(i.out.contains("--format"), i.out);
        Run d = run("diff", "--help");
        assertEquals(0, d.status);
        assertTrue(d.out.contains("gunyah-dt diff A B"), d.out);
        Run all = run("--help");
        assertFalse(all.out.contains("inspect         show a DTB/DTBO readably  [not built yet]"), all.out);
    }

    @Test
    void inspectBlobAsDts() throws Exception {
        Path dtb = blob("board.dtb", BOARD, true);
        Run r = run("inspect", dtb.toString(), "--path", "/serial@2000");
        assertEquals(0, r.status, r.err);
        assertEquals("""
                // /serial@2000
                uart0: serial@2000 {
                	reg = <0x2000 0x100>;
                	interrupts = <0x0 0x7 0x4 /* SPI 7 level-high */>;
                	clocks = <&clk>;
                	phandle = <0x3>;
                };
                """, r.out);
    }

    @Test
    void inspectOutputCompilesBackToTheSameBlob() throws Exception {
        Path dtb = blob("board.dtb", BOARD, true);
        Path text = tmp.resolve("inspected.dts");
        assertEquals(0, run("inspect", dtb.toString(), "-o", text.toString()).status);
        Path again = tmp.resolve("again.dtb");
        assertEquals(0, run("dtc", "-q", "-O", "dtb", "-o", again.toString(), text.toString()).status);
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dtb), Files.readAllBytes(again)));
    }

    @Test
    void inspectOverlayShowsFixupsAsLabels() throws Exception {
        Path dtbo = blob("o.dtbo", OVERLAY, false);
        Run r = run("inspect", dtbo.toString());
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.startsWith("/dts-v1/;\n/plugin/;\n"), r.out);
        assertTrue(r.out.contains("target = <&uart0>;"), r.out);
        assertTrue(r.out.contains("clocks = <&clk>;"), r.out);
        assertFalse(r.out.contains("__fixups__"), r.out);
    }

    @Test
    void inspectTreeAndJsonFormatsAndDtsInput() throws Exception {
        Path dts = file("board.dts", BOARD);
        Run tree = run("inspect", dts.toString(), "--format", "tree");
        assertEquals(0, tree.status, tree.err);
        assertEquals("""
                /
                  interrupt-controller@1000  gic:  "arm,gic-400"  reg 0x1000 size 0x1000
                  clock  clk:
                  serial@2000  uart0:  reg 0x2000 size 0x100  irq SPI 7 level-high
                """, tree.out);
        Run json = run("inspect", dts.toString(), "-f", "json", "-p", "&clk");
        assertEquals(0, json.status, json.err);
        assertTrue(
                json.out.startsWith("{\n  \"name\": \"clock\",\n  \"path\": \"/clock\",\n  \"labels\": [\"clk\"],"),
                json.out);
    }

    @Test
    void inspectReadsStdin() throws Exception {
        Path dtb = blob("board.dtb", BOARD, false);
        Run r = run(Files.readAllBytes(dtb), "inspect", "-", "-f", "tree");
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("serial@2000  reg 0x2000 size 0x100  irq SPI 7 level-high"), r.out);
    }

    @Test
    void inspectErrors() throws Exception {
        Run missing = run("inspect", tmp.resolve("nope.dtb").toString());
        assertEquals(2, missing.status);
        assertTrue(missing.err.contains("cannot read"), missing.err);

        Run usage = run("inspect", "a", "b");
        assertEquals(2, usage.status);
        Run format = run("inspect", "x.dtb", "--format", "yaml");
        assertEquals(2, format.status);
        assertTrue(format.err.contains("unknown format 'yaml'"), format.err);

        Path bad = file("bad.dts", "/dts-v1/;\n/ {\n\tfoo = <1 2;\n};\n");
        Run syntax = run("inspect", bad.toString());
        assertEquals(1, syntax.status);
        assertTrue(syntax.err.contains(bad + ":3:"), syntax.err);
        assertNoStackTrace(syntax);

        byte[] blob = Files.readAllBytes(blob("board.dtb", BOARD, false));
        Path truncated = tmp.resolve("truncated.dtb");
        Files.write(truncated, java.util.Arrays.copyOf(blob, 60));
        Run corrupt = run("inspect", truncated.toString());
        assertEquals(1, corrupt.status);
        assertTrue(corrupt.err.startsWith("error: "), corrupt.err);
        assertNoStackTrace(corrupt);

        Run path = run("inspect", tmp.resolve("board.dtb").toString(), "--path", "/nope");
        assertEquals(1, path.status);
        assertEquals("error: no node at path '/nope'\n", path.err);
    }

    @Test
    void diffIgnoresPhandleNumbering() throws Exception {
        Path a = blob("a.dtb", BOARD, true);
        Path b = blob("b.dtb", REORDERED, true);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
        Run r = run("diff", a.toString(), b.toString());
        assertEquals(0, r.status, r.out + r.err);
        assertEquals("", r.out);
        // a source against a blob of the reordered source: the same tree too
        Path plain = blob("b-plain.dtb", REORDERED, false);
        assertEquals(0, run("diff", file("board.dts", BOARD).toString(), plain.toString()).status);
        // while -@ adds __symbols__ and phandles for labelled nodes: real differences
        Run sym = run("diff", plain.toString(), b.toString());
        assertEquals(1, sym.status);
        assertTrue(sym.out.startsWith("+ /__symbols__\n+ /__symbols__:clk = \"/clock\"\n"), sym.out);
        assertTrue(sym.out.contains("+ /serial@2000:phandle = <phandle>\n"), sym.out);
    }

    @Test
    void diffReportsRealDifferences() throws Exception {
        Path a = blob("a.dtb", BOARD, false);
        Path b = blob(
                "b.dtb",
                REORDERED
                        .replace("interrupts = <0 7 4>;", "interrupts = <0 8 4>;\n\t\tstatus = \"disabled\";")
                        .replace(
                                "\tclk: clock {\n\t\t#clock-cells = <0>;\n\t};\n",
                                "\tclk: clock {\n\t\t#clock-cells = <0>;\n\t};\n\textra { };\n"),
                false);
        Run r = run("diff", a.toString(), b.toString());
        assertEquals(1, r.status, r.err);
        assertEquals("""
                + /extra
                ~ /serial@2000:interrupts = <0x0 0x7 0x4> -> <0x0 0x8 0x4>
                + /serial@2000:status = "disabled"
                """, r.out);
        Run quiet = run("diff", "-q", a.toString(), b.toString());
        assertEquals(1, quiet.status);
        assertEquals("", quiet.out);
    }

    @Test
    void diffUsageAndInputErrors() throws Exception {
        assertEquals(2, run("diff", "only-one.dtb").status);
        assertEquals(
                2,
                run(
                                "diff",
                                tmp.resolve("x.dtb").toString(),
                                tmp.resolve("y.dtb").toString())
                        .status);
        Path bad = file("bad.dts", "/dts-v1/;\n/ { a = <&nolabel>; };\n");
        Run r = run("diff", bad.toString(), bad.toString());
        assertEquals(1, r.status);
        assertTrue(r.err.contains("nolabel"), r.err);
        assertNoStackTrace(r);
    }

    /** A guest tree as the RM writes it: /hypervisor children named and reg'd by capability IDs. */
    private static String guest(String rmCap, String mqCap, long depth) {
        return "/dts-v1/;\n/ {\n hypervisor {\n  compatible = \"qcom,gunyah-hypervisor\", \"simple-bus\";\n"
                + "  #address-cells = <2>; #size-cells = <0>;\n"
                + "  qcom,resource-mgr@" + rmCap + " { reg = <0x" + rmCap.substring(0, 8) + " 0x" + rmCap.substring(8)
                + ">; };\n"
                + "  message-queue-pair-svm1-0@" + mqCap + " { reg = <0x" + mqCap.substring(0, 8) + " 0x"
                + mqCap.substring(8)
                + ">; qcom,tx-queue-depth = <" + depth + ">; label = <0>; };\n };\n};\n";
    }

    /** Issue 12, item 5: --ignore-capids drops the capability IDs, --summary gives one line per node. */
    @Test
    void diffIgnoresCapIdsAndSummarisesPerNode() throws Exception {
        Path a = blob("ga.dtb", guest("a8ab85dcf7be7a5c", "a8ab85dcf7bc57f1", 8), false);
        Path b = blob("gb.dtb", guest("352cccfc0946b8f0", "352cccfc09468801", 8), false);
        Path c = blob("gc.dtb", guest("11112222333344aa", "5555666677778888", 16), false);
        Run plain = run("diff", a.toString(), b.toString());
        assertEquals(1, plain.status());
        assertTrue(plain.out().contains("- /hypervisor/message-queue-pair-svm1-0@a8ab85dcf7bc57f1"), plain.out());
        Run same = run("diff", "--ignore-capids", a.toString(), b.toString());
        assertEquals(0, same.status(), same.out());
        assertEquals("", same.out());
        Run changed = run("diff", "--ignore-capids", a.toString(), c.toString());
        assertEquals(1, changed.status());
        assertEquals("~ /hypervisor/message-queue-pair-svm1-0:qcom,tx-queue-depth = <0x8> -> <0x10>\n", changed.out());
        Run summary = run("diff", "--summary", a.toString(), c.toString());
        assertEquals("""
                + /hypervisor/message-queue-pair-svm1-0@5555666677778888
                + /hypervisor/qcom,resource-mgr@11112222333344aa
                - /hypervisor/message-queue-pair-svm1-0@a8ab85dcf7bc57f1
                - /hypervisor/qcom,resource-mgr@a8ab85dcf7be7a5c
                """, summary.out());
        Run both = run("diff", "--ignore-capids", "--summary", a.toString(), c.toString());
        assertEquals(
                "~ /hypervisor/message-queue-pair-svm1-0: 0 property(ies) added, 0 removed, 1 changed (qcom,tx-queue-depth)\n",
                both.out());
    }
}
