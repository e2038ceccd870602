package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each check against dtc 1.6.1's exact output on a triggering and a clean input (CheckCases). */
class CheckerTest {

    static DeviceTree parse(String body) {
        return DtsSource.parse("/dts-v1/;\n" + body + "\n", "t.dts", new IncludeResolver(List.of()));
    }

    /** Applies "-W x -E no-y" style flags. */
    static CheckConfig config(String flags) {
        CheckConfig c = CheckConfig.defaults();
        String[] f = flags.isBlank() ? new String[0] : flags.trim().split("\\s+");
        for (int i = 0; i + 1 < f.length; i += 2) {
            c.apply(f[i + 1], f[i].equals("-E"));
        }
        return c;
    }

    /** The lines a run prints (each diagnostic's text, then a newline), trailing blank lines dropped. */
    static List<String> printed(CheckResult r) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : r.diagnostics()) {
            sb.append(d.rendered()).append('\n');
        }
        List<String> lines = new ArrayList<>(List.of(sb.toString().split("\n", -1)));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    static List<String> run(String body, String flags) {
        return printed(Checker.run(parse(body), config(flags), "out.dtb"));
    }

    @TestFactory
    Stream<DynamicTest> triggeringInputs() {
        return CheckCases.TRIGGER.stream().map(c -> DynamicTest.dynamicTest(c.check() + " fires",
                () -> assertEquals(c.expected(), run(c.body(), c.flags()), c.body())));
    }

    @TestFactory
    Stream<DynamicTest> cleanInputs() {
        return CheckCases.CLEAN.stream().map(c -> DynamicTest.dynamicTest(c.check() + " stays quiet",
                () -> assertEquals(c.expected(), run(c.body(), c.flags()), c.body())));
    }

    @Test
    void everyCheckHasCases() {
        Set<String> covered = new TreeSet<>();
        CheckCases.TRIGGER.forEach(c -> covered.add(c.check()));
        assertEquals(new TreeSet<>(CheckConfig.checkNames()), covered);
    }

    @Test
    void nodeMessagesListEveryOtherDefinition() {
        String body = "/ { a: a { }; };\n&a { name = \"zz\"; };\n&a { q = <1>; };";
        // produced by dtc 1.6.1 on the same text (dtc -O dts -o /dev/null)
        assertEquals(List.of(
                "t.dts:2.10-14: ERROR (name_properties): /a: \"name\" property is incorrect (\"zz\" instead of base node name)",
                "  also defined at t.dts:3.4-21",
                "  also defined at t.dts:4.4-17"), run(body, ""));
    }

    @Test
    void referenceErrorsEndInABlankLineBeforeTheNextMessage() {
        String body = "/ { a { p = <&x>, <&y>; }; };";
        // dtc 1.6.1: each unresolved reference message is followed by an empty line
        assertEquals(List.of(
                "t.dts:2.7-27: ERROR (phandle_references): /a: Reference to non-existent node or label \"x\"",
                "",
                "t.dts:2.7-27: ERROR (phandle_references): /a: Reference to non-existent node or label \"y\""),
                run(body, ""));
    }

    @Test
    void messagesWithoutPositionNameTheOutput() {
        CheckResult r = Checker.run(parse("/ { #address-cells = <1 2>; };"), CheckConfig.defaults(), "-");
        assertEquals("<stdout>: Warning (addr_size_cells): Failed prerequisite 'address_cells_is_cell'",
                r.diagnostics().get(1).rendered());
    }

    @Test
    void theFirstFailingErrorEndsTheRun() {
        // dtc 1.6.1 prints only the first error check's messages: later checks never run
        CheckResult r = Checker.run(parse("/ { x = <1>; a { }; a { }; b#c { }; x { }; };"),
                CheckConfig.defaults(), "out.dtb");
        assertEquals(List.of("t.dts:2.23-27: ERROR (duplicate_node_names): /a: Duplicate node name"), printed(r));
        assertEquals(true, r.hadErrors());
    }

    @Test
    void warningsAloneAreNotErrors() {
        CheckResult r = Checker.run(parse("/ { x = <1>; x { }; };"), CheckConfig.defaults(), "out.dtb");
        assertEquals(false, r.hadErrors());
        assertEquals(1, r.diagnostics().size());
    }

    @Test
    void diagnosticFieldsDescribeTheFinding() {
        Diagnostic d = Checker.run(parse("/ { a { status = <0>; }; };"), CheckConfig.defaults(), "o").diagnostics().get(0);
        assertEquals("status_is_string", d.rule());
        assertEquals("/a", d.nodePath());
        assertEquals("status", d.property());
        assertEquals("property is not a string", d.message());
        assertEquals("t.dts:2.9-22", d.span().toString());
    }
}
