package dev.gunyahdt.hypervisor.device;

/** A device's wire to the physical GIC: its SPI's level (the hypervisor's hwirq side answers it). */
@FunctionalInterface
public interface InterruptLine {
    void level(boolean high);
}
