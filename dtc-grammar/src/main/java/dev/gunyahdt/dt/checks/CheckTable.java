package dev.gunyahdt.dt.checks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * dtc 1.6.1's check table, in its order: each entry's name, default level and prerequisites
 * as the installed dtc shows them (see CheckTableTest for how they were read off), the
 * behaviour behind each written from what dtc prints for crafted inputs.
 */
final class CheckTable {

    private CheckTable() {}

    /** The phandle-list properties dtc knows, in its table order. */
    static final List<ProviderChecks.Provider> PROVIDERS = List.of(
            new ProviderChecks.Provider("clocks", "clocks", "#clock-cells", false),
            new ProviderChecks.Provider("cooling_device", "cooling-device", "#cooling-cells", false),
            new ProviderChecks.Provider("dmas", "dmas", "#dma-cells", false),
            new ProviderChecks.Provider("hwlocks", "hwlocks", "#hwlock-cells", false),
            new ProviderChecks.Provider("interrupts_extended", "interrupts-extended", "#interrupt-cells", false),
            new ProviderChecks.Provider("io_channels", "io-channels", "#io-channel-cells", false),
            new ProviderChecks.Provider("iommus", "iommus", "#iommu-cells", false),
            new ProviderChecks.Provider("mboxes", "mboxes", "#mbox-cells", false),
            new ProviderChecks.Provider("msi_parent", "msi-parent", "#msi-cells", true),
            new ProviderChecks.Provider("mux_controls", "mux-controls", "#mux-control-cells", false),
            new ProviderChecks.Provider("phys", "phys", "#phy-cells", false),
            new ProviderChecks.Provider("power_domains", "power-domains", "#power-domain-cells", false),
            new ProviderChecks.Provider("pwms", "pwms", "#pwm-cells", false),
            new ProviderChecks.Provider("resets", "resets", "#reset-cells", false),
            new ProviderChecks.Provider("sound_dai", "sound-dai", "#sound-dai-cells", false),
            new ProviderChecks.Provider("thermal_sensors", "thermal-sensors", "#thermal-sensor-cells", false));

    private static final int OFF = 0;
    private static final int WARN = 1;
    private static final int ERROR = 2;

    private static final List<CheckDef> building = new ArrayList<>();
    private static final Map<String, CheckDef> BY_NAME = new HashMap<>();

    static final List<CheckDef> TABLE;

    private static void node(String name, int level, CheckDef.PerNode fn, String... prereqs) {
        add(new CheckDef(building.size(), name, level == WARN, level == ERROR, List.of(prereqs), fn, null, null));
    }

    /** A per-node check that only looks at nodes having property {@code prop}. */
    private static void nodeWith(String name, int level, String prop, CheckDef.PerNode fn, String... prereqs) {
        add(new CheckDef(building.size(), name, level == WARN, level == ERROR, List.of(prereqs), fn, null, prop));
    }

    private static void whole(String name, int level, CheckDef.Whole fn, String... prereqs) {
        add(new CheckDef(building.size(), name, level == WARN, level == ERROR, List.of(prereqs), null, fn, null));
    }

    private static void add(CheckDef d) {
        building.add(d);
        BY_NAME.put(d.name(), d);
    }

    static {
        node("duplicate_node_names", ERROR, StructureChecks::duplicateNodeNames);
        node("duplicate_property_names", ERROR, StructureChecks::duplicatePropertyNames);
        node("node_name_chars", ERROR, StructureChecks::nodeNameChars);
        node("node_name_format", ERROR, StructureChecks::nodeNameFormat, "node_name_chars");
        node("property_name_chars", ERROR, StructureChecks::propertyNameChars);
        node("name_is_string", ERROR, (r, n) -> MiscChecks.isString(r, n, "name"));
        whole("name_properties", ERROR, StructureChecks::nameProperties, "name_is_string");
        node("node_name_vs_property_name", WARN, StructureChecks::nodeNameVsPropertyName, "node_name_chars");
        whole("duplicate_label", ERROR, StructureChecks::duplicateLabel);
        whole("explicit_phandles", ERROR, StructureChecks::explicitPhandles);
        whole("phandle_references", ERROR, Fixups::phandleReferences, "duplicate_node_names", "explicit_phandles");
        whole("path_references", ERROR, Fixups::pathReferences, "duplicate_node_names");
        whole("omit_unused_nodes", ERROR, Fixups::omitUnusedNodes, "phandle_references", "path_references");

        nodeWith("address_cells_is_cell", WARN, "#address-cells", (r, n) -> MiscChecks.isCell(r, n, "#address-cells"));
        nodeWith("size_cells_is_cell", WARN, "#size-cells", (r, n) -> MiscChecks.isCell(r, n, "#size-cells"));
        nodeWith("device_type_is_string", WARN, "device_type", (r, n) -> MiscChecks.isString(r, n, "device_type"));
        nodeWith("model_is_string", WARN, "model", (r, n) -> MiscChecks.isString(r, n, "model"));
        nodeWith("status_is_string", WARN, "status", (r, n) -> MiscChecks.isString(r, n, "status"));
        nodeWith("label_is_string", WARN, "label", (r, n) -> MiscChecks.isString(r, n, "label"));
        nodeWith("compatible_is_string_list", WARN, "compatible", MiscChecks::compatibleIsStringList);
        node("names_is_string_list", WARN, MiscChecks::namesIsStringList);
        node("property_name_chars_strict", OFF, StructureChecks::propertyNameCharsStrict);
        node("node_name_chars_strict", OFF, StructureChecks::nodeNameCharsStrict);

        node("addr_size_cells", WARN, AddressChecks::addrSizeCells, "address_cells_is_cell", "size_cells_is_cell");
        nodeWith("reg_format", WARN, "reg", AddressChecks::regFormat, "addr_size_cells");
        nodeWith("ranges_format", WARN, "ranges", AddressChecks::rangesFormat, "addr_size_cells");
        nodeWith("dma_ranges_format", WARN, "dma-ranges", AddressChecks::dmaRangesFormat, "addr_size_cells");
        node("unit_address_vs_reg", WARN, AddressChecks::unitAddressVsReg);
        // needs the PCI and simple-bus bridges to have marked their buses, whose children it skips
        node(
                "unit_address_format",
                WARN,
                AddressChecks::unitAddressFormat,
                "node_name_format",
                "pci_bridge",
                "simple_bus_bridge");
        nodeWith("pci_bridge", WARN, "device_type", BusChecks::pciBridge, "device_type_is_string", "addr_size_cells");
        node("pci_device_reg", WARN, BusChecks::pciDeviceReg, "reg_format", "pci_bridge");
        node("pci_device_bus_num", WARN, BusChecks::pciDeviceBusNum, "reg_format", "pci_bridge");
        nodeWith(
                "simple_bus_bridge",
                WARN,
                "compatible",
                BusChecks::simpleBusBridge,
                "addr_size_cells",
                "compatible_is_string_list");
        node("simple_bus_reg", WARN, BusChecks::simpleBusReg, "reg_format", "simple_bus_bridge");
        node("i2c_bus_bridge", WARN, BusChecks::i2cBusBridge, "addr_size_cells");
        node("i2c_bus_reg", WARN, BusChecks::i2cBusReg, "reg_format", "i2c_bus_bridge");
        node("spi_bus_bridge", WARN, BusChecks::spiBusBridge, "addr_size_cells");
        node("spi_bus_reg", WARN, BusChecks::spiBusReg, "reg_format", "spi_bus_bridge");
        node("avoid_default_addr_size", WARN, AddressChecks::avoidDefaultAddrSize, "addr_size_cells");
        node("avoid_unnecessary_addr_size", WARN, AddressChecks::avoidUnnecessaryAddrSize, "avoid_default_addr_size");
        node("unique_unit_address", WARN, AddressChecks::uniqueUnitAddress, "avoid_default_addr_size");
        node(
                "unique_unit_address_if_enabled",
                OFF,
                AddressChecks::uniqueUnitAddressIfEnabled,
                "avoid_default_addr_size");
        node("obsolete_chosen_interrupt_controller", WARN, MiscChecks::obsoleteChosenInterruptController);
        node("chosen_node_is_root", WARN, MiscChecks::chosenNodeIsRoot);
        node("chosen_node_bootargs", WARN, MiscChecks::chosenNodeBootargs);
        node("chosen_node_stdout_path", WARN, MiscChecks::chosenNodeStdoutPath);

        // each list check walks its list after its provider-cells check and reference resolution
        for (ProviderChecks.Provider p : PROVIDERS) {
            String isCell = p.checkStem() + "_is_cell";
            nodeWith(
                    p.checkStem() + "_property",
                    WARN,
                    p.property(),
                    (r, n) -> ProviderChecks.providerProperty(r, n, p),
                    isCell,
                    "phandle_references");
            nodeWith(isCell, WARN, p.cellsProperty(), (r, n) -> MiscChecks.isCell(r, n, p.cellsProperty()));
        }

        node("deprecated_gpio_property", OFF, ProviderChecks::deprecatedGpioProperty);
        node("gpios_property", WARN, ProviderChecks::gpiosProperty, "phandle_references");
        nodeWith("interrupts_property", WARN, "interrupts", ProviderChecks::interruptsProperty);
        node("interrupt_provider", WARN, ProviderChecks::interruptProvider);
        node("alias_paths", WARN, MiscChecks::aliasPaths);
        node("graph_nodes", WARN, MiscChecks::graphNodes);
        node("graph_child_address", WARN, MiscChecks::graphChildAddress, "graph_nodes");
        node("graph_port", WARN, MiscChecks::graphPort, "graph_nodes");
        node("graph_endpoint", WARN, MiscChecks::graphEndpoint, "graph_nodes");
        node("always_fail", OFF, StructureChecks::alwaysFail);

        for (CheckDef d : building) {
            List<CheckDef> ps = new ArrayList<>();
            for (String p : d.prereqNames()) {
                ps.add(BY_NAME.get(p));
            }
            d.resolve(ps);
        }
        TABLE = Collections.unmodifiableList(new ArrayList<>(building));
    }

    static CheckDef byName(String name) {
        return BY_NAME.get(name);
    }
}
