/**
 * The board inventory: what a board's devicetree offers to be shared out (memory, reserved
 * memory, CPUs and clusters, the GIC, devices with physical MMIO and resolved interrupts).
 * {@link dev.gunyahdt.partitioner.inventory.BoardInventory#of} is the whole public entry point.
 */
package dev.gunyahdt.partitioner.inventory;
