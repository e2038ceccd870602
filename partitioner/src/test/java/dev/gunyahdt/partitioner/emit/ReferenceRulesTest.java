package dev.gunyahdt.partitioner.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.partitioner.Partitioner;
import dev.gunyahdt.partitioner.TestBoards;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.plan.PlanLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 2: each rule of {@link References}' table on a small board whose UART has an
 * interrupt parent that is not the GIC, clock/reset/power/supply providers, a pin state, an SMMU, a
 * mailbox and an OPP'd CPU — the guest holding the UART gets the providers, loses the rest (listed),
 * and every tree passes dtc's checks (render runs them and throws on any finding).
 */
class ReferenceRulesTest {

    static final String BOARD = """
            /dts-v1/;
            / {
                model = "t"; compatible = "test,board";
                #address-cells = <2>; #size-cells = <2>;
                interrupt-parent = <&gic>;
                cpus {
                    #address-cells = <1>; #size-cells = <0>;
                    cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <0>; enable-method = "psci"; operating-points-v2 = <&opp>; };
                    cpu@1 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <1>; enable-method = "psci"; operating-points-v2 = <&opp>; };
                    cpu@2 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <2>; enable-method = "psci"; };
                };
                opp: opp-table { compatible = "operating-points-v2"; };
                memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
                psci { compatible = "arm,psci-1.0"; method = "smc"; };
                timer { compatible = "arm,armv8-timer"; interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>; };
                vreg: regulator-v { compatible = "regulator-fixed"; regulator-name = "v"; };
                soc {
                    compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges;
                    gic: interrupt-controller@8000000 {
                        compatible = "arm,gic-v3"; reg = <0 0x8000000 0 0x10000>, <0 0x80a0000 0 0xf60000>;
                        #interrupt-cells = <3>; #address-cells = <0>; interrupt-controller;
                    };
                    intc: interrupt-controller@9000000 {
                        compatible = "test,wakeup-intc"; reg = <0 0x9000000 0 0x1000>;
                        interrupt-controller; #interrupt-cells = <3>; interrupt-parent = <&gic>;
                    };
                    clk: clock-controller@9100000 {
                        compatible = "test,clk"; reg = <0 0x9100000 0 0x1000>;
                        #clock-cells = <1>; #reset-cells = <1>; #power-domain-cells = <1>;
                    };
                    smmu: iommu@9200000 { compatible = "test,smmu"; reg = <0 0x9200000 0 0x1000>; #iommu-cells = <1>; };
                    mbox: mailbox@9300000 { compatible = "test,mbox"; reg = <0 0x9300000 0 0x1000>; #mbox-cells = <0>; };
                    pinctrl@9400000 {
                        compatible = "test,pinctrl"; reg = <0 0x9400000 0 0x1000>;
                        uart_default: uart-default { pins = "gpio0"; function = "uart"; };
                    };
                    uart0: serial@9500000 {
                        compatible = "arm,pl011", "arm,primecell"; reg = <0 0x9500000 0 0x1000>;
                        interrupts-extended = <&intc 0 5 4>;
                        clocks = <&clk 1>, <&clk 2>; clock-names = "uartclk", "apb_pclk";
                        resets = <&clk 0>; power-domains = <&clk 0>; vdd-supply = <&vreg>;
                        pinctrl-0 = <&uart_default>; pinctrl-names = "default";
                        iommus = <&smmu 3>; mboxes = <&mbox>; mbox-names = "tx";
                    };
                    clk2: clock-controller@9700000 { compatible = "test,clk2"; reg = <0 0x9700000 0 0x1000>; #clock-cells = <0>; };
                    serial@9600000 {
                        compatible = "arm,pl011", "arm,primecell"; reg = <0 0x9600000 0 0x1000>;
                        interrupts = <0 6 4>; clocks = <&clk2>; clock-names = "apb_pclk";
                    };
                };
            };
            """;

    static final String PLAN = """
            board: board.dts
            hypervisor: {size: 32MiB}
            vms:
              - name: hlos
                primary: true
                memory: 256MiB
                vcpus: 1
              - name: guest
                memory: 128MiB
                vcpus: 1
                devices: [uart0]
            """;

    static ConfigTrees trees;
    static DeviceTree guest;
    static DeviceTree system;
    static ConfigEmitter.Rendered rendered;
    static DeviceTree board;

    @BeforeAll
    static void emit(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("board.dts"), BOARD);
        board = TestBoards.compile(dir.resolve("board.dts"));
        Allocation a = Partitioner.partition(PlanLoader.parse(PLAN, "vms.yaml"), board);
        rendered = ConfigEmitter.render(a); // dtc's checks on every tree: any finding throws
        trees = ConfigTrees.of(a);
        guest = trees.vm(a.vms().get(1));
        system = trees.system();
    }

    private static Node node(DeviceTree t, String path) {
        return t.find(path)
                .orElseThrow(() -> new AssertionError(path + " missing"))
                .node();
    }

    private static List<String> dropped(String tree) {
        return rendered.dropped().get(tree);
    }

    @Test
    void interruptParentChainIsKept() {
        Node intc = node(guest, "/soc/interrupt-controller@9000000");
        assertTrue(intc.hasProperty("interrupt-parent"));
        assertTrue(node(guest, "/soc/serial@9500000").hasProperty("interrupts-extended"));
        // the repair: an interrupt controller without #address-cells gets <0>, and says so
        assertEquals(0, intc.property("#address-cells").orElseThrow().value().asCell());
        assertTrue(
                dropped("vm/guest")
                        .contains(
                                "/soc/interrupt-controller@9000000: #address-cells = <0> added "
                                        + "(an interrupt provider without it trips dtc's interrupt_provider; Linux reads a missing one as 0)"),
                dropped("vm/guest").toString());
    }

    @Test
    void clockResetPowerAndSupplyProvidersAreKept() {
        node(guest, "/soc/clock-controller@9100000");
        node(guest, "/regulator-v");
        Node uart = node(guest, "/soc/serial@9500000");
        for (String p : List.of("clocks", "clock-names", "resets", "power-domains", "vdd-supply")) {
            assertTrue(uart.hasProperty(p), p);
        }
    }

    @Test
    void pinctrlStatesAreKept() {
        node(guest, "/soc/pinctrl@9400000/uart-default");
        assertTrue(node(guest, "/soc/serial@9500000").hasProperty("pinctrl-0"));
    }

    @Test
    void iommusAreDroppedAndReported() {
        assertFalse(node(guest, "/soc/serial@9500000").hasProperty("iommus"));
        assertTrue(guest.find("/soc/iommu@9200000").isEmpty());
        assertTrue(
                dropped("vm/guest")
                        .contains(
                                "/soc/serial@9500000: iommus -> smmu dropped (a VM has no SMMU (stage 2 maps it IPA = PA))"),
                dropped("vm/guest").toString());
    }

    @Test
    void otherReferencesAreDroppedWithTheirNames() {
        Node uart = node(guest, "/soc/serial@9500000");
        assertFalse(uart.hasProperty("mboxes"));
        assertFalse(uart.hasProperty("mbox-names"));
        assertTrue(guest.find("/soc/mailbox@9300000").isEmpty());
        assertTrue(dropped("vm/guest")
                .contains("/soc/serial@9500000: mboxes -> mbox dropped (not followed by the reference rules)"));
        // the system tree copies /cpus whole; the OPP table is not followed
        assertFalse(node(system, "/cpus/cpu@0").hasProperty("operating-points-v2"));
        assertTrue(system.find("/opp-table").isEmpty());
        assertTrue(dropped("system")
                .contains("/cpus/cpu@0: operating-points-v2 -> opp dropped (not followed by the reference rules)"));
        // the board itself is unchanged
        assertTrue(board.find("/cpus/cpu@0").orElseThrow().node().hasProperty("operating-points-v2"));
    }

    @Test
    void providerHeldByAnotherVmIsRefused() {
        String plan = PLAN.replace("devices: [uart0]", "devices: [\"/soc/serial@9600000\"]")
                + "  - name: other\n    memory: 64MiB\n    vcpus: 1\n    devices: [clk2]\n";
        Allocation a = Partitioner.partition(PlanLoader.parse(plan, "vms.yaml"), board);
        ConfigEmitter.EmitException e = assertThrows(ConfigEmitter.EmitException.class, () -> ConfigEmitter.render(a));
        assertEquals(
                "VM 'guest' cannot be given /soc/serial@9600000: it needs /soc/clock-controller@9700000 (through "
                        + "the reference rules: interrupt parent, clocks, resets, power domains, supplies or pinctrl), which is "
                        + "passed through to VM 'other'",
                e.getMessage());
    }
}
