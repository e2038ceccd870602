/**
 * The Java model of the Gunyah hypervisor and its Resource Manager, deterministic (virtual time, one seeded
 * generator, no threads). {@link dev.gunyahdt.hypervisor.Hypervisor} is the entry point: a root partition and
 * CSpace, and hypercalls by their real numbers ({@code hypercall}: native and SMCCC entry, reserved-input checks,
 * error codes). One package per object type, as in Gunyah: {@code object}, {@code partition}, {@code cspace}
 * (states, creation, capabilities and rights), {@code msgqueue}, {@code doorbell}, {@code vcpu} (threads, the FPRR
 * scheduler, {@code vcpu_run}), {@code vic} and {@code virq} (a delivering vGIC), {@code memory} (memextents,
 * address spaces, page ownership). {@code rm} is the Resource Manager (HLOS boot, the VM lifecycle over RPC,
 * VM_GET_HYP_RESOURCES, console, memparcels, VIRQ allocation) with {@code rm.rpc} (the wire protocol),
 * {@code rm.config} (the real RM's VM-config parse and VM_INIT rules, also behind {@code gunyah-dt vm-check}) and
 * {@code rm.overlay} (each guest's {@code /hypervisor} overlay); {@code guest} holds the programs VMs run and
 * {@code sim} a whole boot. Not built (a hypercall for them answers UNIMPLEMENTED): VPM groups / PSCI, virtio-mmio,
 * vRTC and hwirq objects, among others listed in hypervisor/README.md.
 *
 * <p>Section numbers in this module's comments — "§N.M", "reference §N", "gunyah-model.md §N" — refer to
 * docs/gunyah-model.md (the Gunyah facts, each with its upstream file); "DESIGN.md §N" refers to docs/design.md.
 */
package dev.gunyahdt.hypervisor;
