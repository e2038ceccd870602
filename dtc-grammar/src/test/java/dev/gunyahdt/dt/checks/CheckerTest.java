package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.Diagnostic;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Checker's API: what a finding holds and how a run ends. What each check prints, against dtc
 * 1.6.1, is in the golden cases (CheckCasesTest).
 */
class CheckerTest {

    static DeviceTree parse(String body) {
        return DtsSource.parse("/dts-v1/;\n" + body + "\n", "t.dts", new IncludeResolver(List.of()));
    }

    @Test
    void messagesWithoutPositionNameTheOutput() {
        CheckResult r = Checker.run(parse("/ { #address-cells = <1 2>; };"), CheckConfig.defaults(), "-");
        assertEquals("<stdout>: Warning (addr_size_cells): Failed prerequisite 'address_cells_is_cell'",
                r.diagnostics().get(1).rendered());
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
