package dev.gunyahdt.dt.checks;

import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;

/**
 * PCI, simple-bus, I2C and SPI: a bridge check marks a node as a bus of its kind (dtc keeps one
 * bus kind per node, the last check to claim it wins), then a reg check looks at its children.
 */
final class BusChecks {

    private BusChecks() {}

    static void pciBridge(CheckRun run, NodeInfo n) {
        Property dt = n.prop("device_type");
        if (dt == null || !Values.cString(dt.value()).equals("pci")) {
            return;
        }
        n.bus = NodeInfo.Bus.PCI;
        String base = n.baseName();
        if (!base.equals("pci") && !base.equals("pcie")) {
            run.fail(n, null, "node name is not \"pci\" or \"pcie\"");
        }
        if (!n.has("ranges")) {
            run.fail(n, null, "missing ranges for PCI bridge (or not a bridge)");
        }
        if (n.addrCellsOrDefault() != 3) {
            run.fail(n, null, "incorrect #address-cells for PCI bridge");
        }
        if (n.sizeCellsOrDefault() != 2) {
            run.fail(n, null, "incorrect #size-cells for PCI bridge");
        }
        Property br = n.prop("bus-range");
        if (br == null) {
            return;
        }
        if (br.value().length() != 8) {
            run.fail(n, br, "value must be 2 cells");
            return;
        }
        long lo = Values.cell(br.value(), 0);
        long hi = Values.cell(br.value(), 1);
        if (lo > hi) {
            run.fail(n, br, "1st cell must be less than or equal to 2nd cell");
        }
        if (hi > 0xff) {
            run.fail(n, br, "maximum bus number must be less than 256");
        }
    }

    static void pciDeviceBusNum(CheckRun run, NodeInfo n) {
        if (n.parent == null || n.parent.bus != NodeInfo.Bus.PCI) {
            return;
        }
        Property reg = n.prop("reg");
        if (reg == null) {
            return;
        }
        long bus = (Values.cell(reg.value(), 0) & 0x00ff0000L) >> 16;
        Property br = n.parent.prop("bus-range");
        long min = 0;
        long max = 0;
        if (br != null) {
            // dtc 1.6.1 takes both bounds from the first cell
            min = Values.cell(br.value(), 0);
            max = min;
        }
        if (bus < min || bus > max) {
            // reported against the child, with the parent's bus-range property
            run.fail(
                    n, br, "PCI bus number " + bus + " out of range, expected (" + (int) min + " - " + (int) max + ")");
        }
    }

    static void pciDeviceReg(CheckRun run, NodeInfo n) {
        if (n.parent == null || n.parent.bus != NodeInfo.Bus.PCI) {
            return;
        }
        Property reg = n.prop("reg");
        if (reg == null) {
            return;
        }
        PropertyValue v = reg.value();
        if (Values.cell(v, 1) != 0 || Values.cell(v, 2) != 0) {
            run.fail(n, reg, "PCI reg config space address cells 2 and 3 must be 0");
        }
        long r = Values.cell(v, 0);
        long dev = (r & 0xf800) >> 11;
        long func = (r & 0x700) >> 8;
        if ((r & 0xff000000L) != 0) {
            run.fail(n, reg, "PCI reg address is not configuration space");
        }
        if ((r & 0xff) != 0) {
            run.fail(n, reg, "PCI reg config space address register number must be 0");
        }
        String unit = n.node().unitAddress();
        if (func == 0 && unit.equals(Long.toHexString(dev))) {
            return;
        }
        String expected = Long.toHexString(dev) + "," + Long.toHexString(func);
        if (!unit.equals(expected)) {
            run.fail(n, null, "PCI unit address format error, expected \"" + expected + "\"");
        }
    }

    static void simpleBusBridge(CheckRun run, NodeInfo n) {
        Property c = n.prop("compatible");
        if (c != null && c.value().asStrings().contains("simple-bus")) {
            n.bus = NodeInfo.Bus.SIMPLE;
        }
    }

    static void simpleBusReg(CheckRun run, NodeInfo n) {
        if (n.parent == null || n.parent.bus != NodeInfo.Bus.SIMPLE) {
            return;
        }
        PropertyValue cells = null;
        int first = 0;
        Property reg = n.prop("reg");
        if (reg != null) {
            cells = reg.value().isEmpty() ? null : reg.value();
        } else {
            Property ranges = n.prop("ranges");
            if (ranges != null && !ranges.value().isEmpty()) {
                cells = ranges.value();
                first = n.addrCellsOrDefault(); // skip the child address
            }
        }
        if (cells == null) {
            if (n.parent.parent != null && n.bus != NodeInfo.Bus.SIMPLE) {
                run.fail(n, null, "missing or empty reg/ranges property");
            }
            return;
        }
        long addr = 0;
        int size = n.parent.addrCellsOrDefault();
        for (int i = 0; i < size; i++) {
            addr = (addr << 32) | Values.cell(cells, first + i);
        }
        String expected = Long.toHexString(addr);
        if (!n.node().unitAddress().equals(expected)) {
            run.fail(n, null, "simple-bus unit address format error, expected \"" + expected + "\"");
        }
    }

    static void i2cBusBridge(CheckRun run, NodeInfo n) {
        String base = n.baseName();
        if (base.equals("i2c-bus") || base.equals("i2c-arb")) {
            n.bus = NodeInfo.Bus.I2C;
        } else if (base.equals("i2c")) {
            // dtc 1.6.1 means to skip controllers whose buses are "i2c-bus" children, but its
            // comparison can never match, so every "i2c" node is a bus
            n.bus = NodeInfo.Bus.I2C;
        } else {
            return;
        }
        if (!n.hasChildList()) {
            return;
        }
        if (n.addrCellsOrDefault() != 1) {
            run.fail(n, null, "incorrect #address-cells for I2C bus");
        }
        if (n.sizeCellsOrDefault() != 0) {
            run.fail(n, null, "incorrect #size-cells for I2C bus");
        }
    }

    private static final long I2C_TEN_BIT = 1L << 31;
    private static final long I2C_OWN_SLAVE = 1L << 30;

    static void i2cBusReg(CheckRun run, NodeInfo n) {
        if (n.parent == null || n.parent.bus != NodeInfo.Bus.I2C) {
            return;
        }
        Property reg = n.prop("reg");
        if (reg == null) {
            return;
        }
        PropertyValue v = reg.value();
        if (v.isEmpty()) {
            run.fail(n, null, "missing or empty reg property");
            return;
        }
        long r = Values.cell(v, 0) & ~I2C_OWN_SLAVE;
        String expected = Long.toHexString(r);
        if (!n.node().unitAddress().equals(expected)) {
            run.fail(n, null, "I2C bus unit address format error, expected \"" + expected + "\"");
        }
        for (int i = 0; 4 * i < v.length(); i++) {
            long a = Values.cell(v, i) & ~I2C_OWN_SLAVE;
            if ((a & I2C_TEN_BIT) != 0 && (a & ~I2C_TEN_BIT) > 0x3ff) {
                run.fail(n, reg, "I2C address must be less than 10-bits, got \"0x" + Long.toHexString(a) + "\"");
            } else if (a > 0x7f) {
                // dtc 1.6.1 also says this of valid 10-bit addresses
                run.fail(
                        n,
                        reg,
                        "I2C address must be less than 7-bits, got \"0x" + Long.toHexString(a)
                                + "\". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property");
            }
        }
    }

    static void spiBusBridge(CheckRun run, NodeInfo n) {
        if (n.baseName().equals("spi")) {
            n.bus = NodeInfo.Bus.SPI;
        } else {
            // a bus named otherwise is recognised by SPI-style cells and "spi-" child properties
            if (n.addrCellsOrDefault() != 1 || n.sizeCellsOrDefault() != 0) {
                return;
            }
            boolean found = false;
            for (NodeInfo c : n.children) {
                for (Property p : c.node().properties()) {
                    if (p.name().startsWith("spi-")) {
                        found = true;
                        break;
                    }
                }
                if (found) {
                    break;
                }
            }
            if (!found) {
                return;
            }
            n.bus = NodeInfo.Bus.SPI;
            if (n.has("reg")) {
                run.fail(n, null, "node name for SPI buses should be 'spi'");
            }
        }
        if (!n.hasChildList()) {
            return;
        }
        int want = n.has("spi-slave") ? 0 : 1;
        if (n.addrCellsOrDefault() != want) {
            run.fail(n, null, "incorrect #address-cells for SPI bus");
        }
        if (n.sizeCellsOrDefault() != 0) {
            run.fail(n, null, "incorrect #size-cells for SPI bus");
        }
    }

    static void spiBusReg(CheckRun run, NodeInfo n) {
        if (n.parent == null || n.parent.bus != NodeInfo.Bus.SPI || n.parent.has("spi-slave")) {
            return;
        }
        Property reg = n.prop("reg");
        if (reg == null || reg.value().isEmpty()) {
            run.fail(n, null, "missing or empty reg property");
            return;
        }
        String expected = Long.toHexString(Values.cell(reg.value(), 0));
        if (!n.node().unitAddress().equals(expected)) {
            run.fail(n, null, "SPI bus unit address format error, expected \"" + expected + "\"");
        }
    }
}
