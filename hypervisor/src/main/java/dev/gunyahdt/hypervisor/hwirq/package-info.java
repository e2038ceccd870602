/**
 * Hardware IRQ objects: physical SPIs of devices passed through to a VM, forwarded as VIRQs into its vGIC
 * ([HYP] {@code hyp/core/irq}, {@code hyp/vm/vgic}). Depends on the leaf {@code call}, {@code object},
 * {@code hypercall}, {@code virq} and {@code vic}.
 */
package dev.gunyahdt.hypervisor.hwirq;
