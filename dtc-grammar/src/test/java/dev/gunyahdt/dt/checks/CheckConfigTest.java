package dev.gunyahdt.dt.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Names, defaults and -W/-E propagation, as dtc 1.6.1 shows them: "dtc -W no-NAME" accepts
 * exactly these 88 names, and the levels below were observed by running dtc with the flags.
 */
class CheckConfigTest {

    @Test
    void tableHasDtcsEightyEightChecksInOrder() {
        List<String> names = CheckConfig.checkNames();
        assertEquals(88, names.size());
        assertEquals("duplicate_node_names", names.get(0));
        assertEquals("always_fail", names.get(87));
        assertEquals(
                List.of(
                        "unit_address_vs_reg",
                        "unit_address_format",
                        "pci_bridge",
                        "pci_device_reg",
                        "pci_device_bus_num",
                        "simple_bus_bridge",
                        "simple_bus_reg"),
                names.subList(names.indexOf("unit_address_vs_reg"), names.indexOf("simple_bus_reg") + 1));
    }

    @Test
    void defaults() {
        CheckConfig c = CheckConfig.defaults();
        for (String e : List.of(
                "duplicate_node_names",
                "duplicate_property_names",
                "node_name_chars",
                "node_name_format",
                "property_name_chars",
                "name_is_string",
                "name_properties",
                "duplicate_label",
                "explicit_phandles",
                "phandle_references",
                "path_references",
                "omit_unused_nodes")) {
            assertTrue(c.isError(e), e);
        }
        for (String off : List.of(
                "property_name_chars_strict",
                "node_name_chars_strict",
                "unique_unit_address_if_enabled",
                "deprecated_gpio_property",
                "always_fail")) {
            assertFalse(c.isEnabled(off), off);
        }
        long warnings = CheckConfig.checkNames().stream().filter(c::isWarning).count();
        assertEquals(88 - 12 - 5, warnings);
    }

    @Test
    void unknownNamesAreRejectedWithDtcsMessage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> CheckConfig.defaults().apply("no-bogus", false));
        assertEquals("Unrecognized check name \"bogus\"", e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> CheckConfig.defaults().apply("interrupt_map", true));
    }

    @Test
    void raisingAlsoRaisesPrerequisites() {
        CheckConfig c = CheckConfig.defaults();
        c.apply("clocks_property", true); // -E clocks_property
        assertTrue(c.isError("clocks_property"));
        assertTrue(c.isError("clocks_is_cell"));
        assertTrue(c.isError("phandle_references"));
        assertTrue(c.isError("duplicate_node_names"));
        assertFalse(c.isError("reg_format"));
    }

    @Test
    void loweringAlsoLowersDependantsThatHadTheLevel() {
        CheckConfig c = CheckConfig.defaults();
        c.apply("no-addr_size_cells", false); // -W no-addr_size_cells
        assertFalse(c.isEnabled("addr_size_cells"));
        assertFalse(c.isEnabled("reg_format"));
        assertFalse(c.isEnabled("simple_bus_reg"));
        assertFalse(c.isEnabled("unit_address_format")); // via pci_bridge
        assertTrue(c.isWarning("unit_address_vs_reg"));
    }

    @Test
    void loweringALevelTheCheckDoesNotHaveChangesNothingElse() {
        // dtc -W no-phandle_references: phandle_references is an error, not a warning, so
        // clocks_property keeps warning (observed with dtc 1.6.1)
        CheckConfig c = CheckConfig.defaults();
        c.apply("no-phandle_references", false);
        assertTrue(c.isError("phandle_references"));
        assertTrue(c.isWarning("clocks_property"));
        // -W phandle_references -W no-phandle_references: now it had the level, so it spreads
        c.apply("phandle_references", false);
        c.apply("no-phandle_references", false);
        assertFalse(c.isEnabled("clocks_property"));
        assertTrue(c.isError("phandle_references"));
    }

    @Test
    void errorThenNoErrorTurnsAnErrorIntoAWarning() {
        CheckConfig c = CheckConfig.defaults();
        c.apply("no-duplicate_label", true);
        assertFalse(c.isEnabled("duplicate_label"));
        c.apply("duplicate_label", false);
        assertTrue(c.isWarning("duplicate_label"));
    }

    @Test
    void runUsesASnapshot() {
        CheckConfig c = CheckConfig.defaults();
        var tree = CheckerTest.parse("/ { x = <1>; x { }; };");
        CheckResult before = Checker.run(tree, c, "o");
        c.apply("no-node_name_vs_property_name", false);
        assertEquals(1, before.diagnostics().size());
        assertEquals(0, Checker.run(tree, c, "o").diagnostics().size());
    }
}
