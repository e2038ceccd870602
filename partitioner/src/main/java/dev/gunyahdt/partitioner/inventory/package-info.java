/**
 * The board inventory: what a board's devicetree offers to be shared out (memory, reserved
 * memory, CPUs and clusters, the GIC, devices with physical MMIO translated through {@code ranges}
 * and interrupts resolved through their parents and maps). {@link dev.gunyahdt.partitioner.inventory.BoardInventory#of}
 * is the entry point; {@link dev.gunyahdt.partitioner.inventory.RangeIndex} answers "is this
 * address or range inside one of these ranges" in log n, for the rules and the memory map.
 */
package dev.gunyahdt.partitioner.inventory;
