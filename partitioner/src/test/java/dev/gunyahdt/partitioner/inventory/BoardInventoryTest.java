package dev.gunyahdt.partitioner.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Device;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Interrupt;
import dev.gunyahdt.partitioner.inventory.BoardInventory.InterruptKind;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Reserved;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Small hand-written trees, one feature each. */
class BoardInventoryTest {

    /** A root with a GICv3 (phandle label gic) and 2/2 cells; tests add nodes after it. */
    private static String board(String body) {
        return """
                /dts-v1/;
                / {
                	#address-cells = <2>;
                	#size-cells = <2>;
                	interrupt-parent = <&gic>;
                	gic: interrupt-controller@8000000 {
                		compatible = "arm,gic-400";
                		#interrupt-cells = <3>;
                		interrupt-controller;
                		reg = <0x0 0x8000000 0x0 0x1000>, <0x0 0x8010000 0x0 0x2000>;
                	};
                """ + body + "\n};\n";
    }

    private static BoardInventory inv(String body) {
        return BoardInventory.of(Boards.dts(board(body)));
    }

    @Test
    void nestedRangesTwoLevelsWithDifferentCellSizes() {
        BoardInventory inv = inv("""
                	soc@f0000000 {
                		compatible = "simple-bus";
                		#address-cells = <1>;
                		#size-cells = <1>;
                		ranges = <0x0 0x0 0xf0000000 0x1000000>;
                		bridge@100000 {
                			compatible = "simple-bus";
                			#address-cells = <2>;
                			#size-cells = <1>;
                			ranges = <0x1 0x0 0x100000 0x10000>, <0x2 0x40 0x200000 0x100>;
                			uart@1,80 { reg = <0x1 0x80 0x20>; };
                			timer@2,40 { reg = <0x2 0x48 0x8>, <0x1 0x0 0x4>; };
                			outside@3,0 { reg = <0x3 0x0 0x10>; };
                		};
                		direct@800 { reg = <0x800 0x100>; };
                	};
                """);
        assertEquals(
                List.of(new Range(0xf0100080L, 0x20)),
                inv.device("/soc@f0000000/bridge@100000/uart@1,80")
                        .orElseThrow()
                        .mmio());
        assertEquals(
                List.of(new Range(0xf0200008L, 0x8), new Range(0xf0100000L, 0x4)), // reg order
                inv.device("/soc@f0000000/bridge@100000/timer@2,40")
                        .orElseThrow()
                        .mmio());
        assertEquals(
                List.of(new Range(0xf0000800L, 0x100)),
                inv.device("/soc@f0000000/direct@800").orElseThrow().mmio());
        Device outside = inv.device("/soc@f0000000/bridge@100000/outside@3,0").orElseThrow();
        assertTrue(outside.mmio().isEmpty());
        assertEquals(
                "address <0x3 0x0> is outside every ranges entry of /soc@f0000000/bridge@100000",
                outside.untranslatable().orElseThrow());
    }

    @Test
    void busWithoutRangesAndSizeCellsZeroAreUntranslatable() {
        BoardInventory inv = inv("""
                	i2c@9000000 {
                		reg = <0x0 0x9000000 0x0 0x1000>;
                		#address-cells = <1>;
                		#size-cells = <0>;
                		eeprom@50 { reg = <0x50>; };
                	};
                	isolated {
                		#address-cells = <1>;
                		#size-cells = <1>;
                		dev@10 { reg = <0x10 0x10>; };
                	};
                """);
        assertEquals(
                List.of(new Range(0x9000000L, 0x1000)),
                inv.device("/i2c@9000000").orElseThrow().mmio());
        assertTrue(inv.device("/i2c@9000000/eeprom@50")
                .orElseThrow()
                .untranslatable()
                .orElseThrow()
                .contains("#size-cells is 0"));
        assertEquals(
                "/isolated has no ranges: its children's addresses are not CPU addresses",
                inv.device("/isolated/dev@10").orElseThrow().untranslatable().orElseThrow());
    }

    @Test
    void twoCellMpidrsAndClustersWithThreads() {
        BoardInventory inv = inv("""
                	cpus {
                		#address-cells = <2>;
                		#size-cells = <0>;
                		cpu-map {
                			cluster0 {
                				core0 { thread0 { cpu = <&c0>; }; thread1 { cpu = <&c1>; }; };
                			};
                			cluster1 {
                				core0 { cpu = <&c2>; };
                			};
                		};
                		c0: cpu@0 { device_type = "cpu"; reg = <0x0 0x0>; enable-method = "psci"; };
                		c1: cpu@1 { device_type = "cpu"; reg = <0x0 0x1>; enable-method = "psci"; };
                		c2: cpu@100000100 { device_type = "cpu"; reg = <0x1 0x100>; status = "disabled"; };
                		l2: l2-cache { compatible = "cache"; };
                	};
                """);
        assertEquals(
                List.of(0L, 1L, 0x100000100L),
                inv.cpus().stream().map(BoardInventory.Cpu::mpidr).toList());
        assertEquals("cluster0", inv.cpus().get(1).cluster());
        assertEquals(0, inv.cpus().get(1).core());
        assertEquals(1, inv.cpus().get(1).thread());
        assertEquals("cluster1", inv.cpus().get(2).cluster());
        assertEquals("disabled", inv.cpus().get(2).status());
        assertFalse(inv.cpus().get(2).enableMethod().isPresent());
        assertEquals(List.of("cluster0", "cluster1"), List.copyOf(inv.clusters().keySet()));
    }

    @Test
    void reservedMemoryStaticNoMapAndDynamic() {
        BoardInventory inv = inv("""
                	memory@80000000 { device_type = "memory"; reg = <0x1 0x0 0x0 0x40000000>, <0x0 0x80000000 0x0 0x40000000>; };
                	memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x10000000>; };
                	reserved-memory {
                		#address-cells = <1>;
                		#size-cells = <1>;
                		ranges;
                		secure@80000000 { reg = <0x80000000 0x200000>; no-map; alignment = <0x1000 0x0>; };
                		cma {
                			compatible = "shared-dma-pool";
                			reusable;
                			size = <0x4000000>;
                			alignment = <0x400000>;
                			alloc-ranges = <0x90000000 0x10000000>;
                		};
                	};
                """);
        assertEquals(
                List.of(
                        new Range(0, 0x10000000L),
                        new Range(0x80000000L, 0x40000000L),
                        new Range(0x100000000L, 0x40000000L)),
                inv.memory());
        Reserved secure = inv.reserved().get(0);
        assertEquals(List.of(new Range(0x80000000L, 0x200000)), secure.reg());
        assertTrue(secure.noMap());
        assertFalse(secure.dynamic());
        assertFalse(secure.alignment().isPresent()); // meaningless on a static region: not read
        Reserved cma = inv.reserved().get(1);
        assertTrue(cma.dynamic());
        assertTrue(cma.reusable());
        assertFalse(cma.noMap());
        assertEquals(OptionalLong.of(0x4000000), cma.size());
        assertEquals(OptionalLong.of(0x400000), cma.alignment());
        assertEquals(List.of(new Range(0x90000000L, 0x10000000L)), cma.allocRanges());
        assertEquals(List.of("shared-dma-pool"), cma.compatible());
        // reserved-memory children are not devices
        assertFalse(inv.device("/reserved-memory/secure@80000000").isPresent());
    }

    @Test
    void interruptsExtendedAndInheritedInterruptParent() {
        BoardInventory inv = inv("""
                	gpio: gpio@9030000 {
                		reg = <0x0 0x9030000 0x0 0x1000>;
                		interrupts = <0 7 4>;
                		interrupt-controller;
                		#interrupt-cells = <2>;
                	};
                	bus@a000000 {
                		compatible = "simple-bus";
                		#address-cells = <1>;
                		#size-cells = <1>;
                		ranges = <0x0 0x0 0xa000000 0x100000>;
                		interrupt-parent = <&gpio>;
                		key@100 { reg = <0x100 0x10>; interrupts = <5 2>; };
                		both@200 {
                			reg = <0x200 0x10>;
                			interrupts-extended = <&gic 1 2 8>, <&gpio 6 1>, <&gic 0 100 4>;
                		};
                		sub {
                			#address-cells = <1>;
                			#size-cells = <1>;
                			ranges;
                			deep@300 { reg = <0x300 0x4>; interrupts = <9 8>; };
                		};
                	};
                """);
        assertEquals(
                List.of(new Interrupt("/gpio@9030000", InterruptKind.OTHER, 5, 2, List.of(5L, 2L))),
                inv.device("/bus@a000000/key@100").orElseThrow().interrupts());
        assertEquals(
                List.of(new Interrupt("/gpio@9030000", InterruptKind.OTHER, 9, 8, List.of(9L, 8L))),
                inv.device("/bus@a000000/sub/deep@300").orElseThrow().interrupts());
        assertEquals(
                List.of(new Range(0xa000300L, 4)),
                inv.device("/bus@a000000/sub/deep@300").orElseThrow().mmio());
        List<Interrupt> both = inv.device("/bus@a000000/both@200").orElseThrow().interrupts();
        assertEquals(
                List.of(InterruptKind.PPI, InterruptKind.OTHER, InterruptKind.SPI),
                both.stream().map(Interrupt::kind).toList());
        assertEquals(18, both.get(0).intid());
        assertEquals(132, both.get(2).intid());
        // the gpio controller itself inherits the root's interrupt-parent: the GIC
        assertEquals(
                39,
                inv.device("/gpio@9030000").orElseThrow().interrupts().get(0).intid());
        assertEquals(2, inv.interruptControllers().size());
        assertEquals("/interrupt-controller@8000000", inv.gic().orElseThrow().path());
    }

    @Test
    void pciStyleInterruptMapMatchesChildUnitAddress() {
        BoardInventory inv = inv("""
                	pcie@10000000 {
                		device_type = "pci";
                		#address-cells = <3>;
                		#size-cells = <2>;
                		reg = <0x0 0x10000000 0x0 0x1000000>;
                		ranges = <0x2000000 0x0 0x20000000 0x0 0x20000000 0x0 0x10000000>;
                		#interrupt-cells = <1>;
                		interrupt-map-mask = <0x1800 0 0 7>;
                		interrupt-map = <0x0000 0 0 1 &gic 0 40 4>, <0x0800 0 0 1 &gic 0 41 4>;
                		ep@1,0 {
                			reg = <0x0800 0 0 0 0>, <0x2000800 0 0x20100000 0 0x1000>;
                			interrupts = <1>;
                		};
                	};
                """);
        Device ep = inv.device("/pcie@10000000/ep@1,0").orElseThrow();
        assertEquals(
                List.of(new Interrupt("/interrupt-controller@8000000", InterruptKind.SPI, 41, 4, List.of(0L, 41L, 4L))),
                ep.interrupts());
        // config space (space code 0) has no ranges entry: the whole device is reported untranslatable
        assertTrue(ep.untranslatable().orElseThrow().contains("outside every ranges entry"));
        assertEquals(
                List.of(40L, 41L),
                inv.device("/pcie@10000000").orElseThrow().mapped().stream()
                        .map(Interrupt::number)
                        .toList());
    }

    @Test
    void malformedInputIsADtExceptionWithThePropertysPosition() {
        DtException e = assertThrows(DtException.class, () -> inv("""
                	memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0>; };
                """));
        assertTrue(e.getMessage().startsWith("/memory@0: reg: length 12 is not a multiple of 16"), e.getMessage());
        assertEquals(12, e.span().firstLine()); // the reg line of the test source

        e = assertThrows(DtException.class, () -> inv("""
                	dev@1000 { reg = <0x0 0x1000 0x0 0x10>; interrupt-parent = <0x77>; interrupts = <0 1 4>; };
                """));
        assertEquals("/dev@1000: interrupt-parent: phandle 0x77 refers to no node", e.getMessage());

        e = assertThrows(DtException.class, () -> inv("""
                	bus {
                		#address-cells = <1>;
                		#size-cells = <1>;
                		ranges = <0x0 0xffffffff 0xffffffff 0x1000>;
                		far@100 { reg = <0x100 0x10>; };
                	};
                """));
        assertEquals(
                "/bus: ranges: translating <0x100> of /bus/far@100 overflows the 2 address cell(s) of /",
                e.getMessage());

        e = assertThrows(DtException.class, () -> inv("""
                	dev@1000 { reg = <0x0 0x1000 0x0 0x10>; interrupts = <0 988 4>; };
                """));
        assertEquals(
                "/dev@1000: interrupts: SPI 988 for /interrupt-controller@8000000 is out of range (0..987)",
                e.getMessage());

        e = assertThrows(DtException.class, () -> inv("""
                	cpus { #address-cells = <3>; #size-cells = <0>; cpu@0 { device_type = "cpu"; reg = <0 0 0>; }; };
                """));
        assertTrue(e.getMessage().startsWith("/cpus: #address-cells: is 3"), e.getMessage());

        // ipq8074's PCIe map in Linux 6.1 leaves out the GIC's unit address cell
        e = assertThrows(DtException.class, () -> inv("""
                	gic2: ic2 { interrupt-controller; #interrupt-cells = <3>; #address-cells = <1>; };
                	pci {
                		#address-cells = <3>;
                		#size-cells = <2>;
                		#interrupt-cells = <1>;
                		interrupt-map-mask = <0 0 0 7>;
                		interrupt-map = <0 0 0 1 &gic2 0 142 4>, <0 0 0 2 &gic2 0 143 4>;
                	};
                """));
        assertTrue(
                e.getMessage().startsWith("/pci: interrupt-map: row at cell 9: phandle 0x0 refers to no node"),
                e.getMessage());
    }
}
