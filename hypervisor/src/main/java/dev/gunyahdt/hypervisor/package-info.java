/**
 * The Java model of the Gunyah hypervisor and its Resource Manager, deterministic (virtual time, one seeded
 * generator, no threads). {@link dev.gunyahdt.hypervisor.Hypervisor} is the entry point and the assembly: a root
 * partition and CSpace, and hypercalls by their real numbers. One package per Gunyah module, layered without a
 * cycle: {@code call} (the call interface: registers, error codes, rights, a caller's memory — depends on
 * nothing), {@code object} (object header, states, the type → factory registry), {@code virq} (VIRQ source and
 * target), {@code hypercall} (the table, native and SMCCC entry, reserved-input checks, the per-call context,
 * object_activate), {@code partition} (partition_create_* for every registered type), {@code cspace}
 * (capabilities and rights), {@code vic} (a delivering vGIC), {@code doorbell}, {@code msgqueue}, {@code memory}
 * (memextents, address spaces, page ownership), {@code vcpu} (threads, the FPRR scheduler, {@code vcpu_run}) and
 * {@code vpm} (VPM groups and the PSCI service their vCPUs call), {@code hwirq} (physical SPIs bound to a VM's
 * VIRQs), {@code virtio} (virtio-mmio devices: a register page a backend VM serves to a frontend VM) and
 * {@code device} (the physical devices the model has: a PL011).
 * Each object owns its state and operations; its {@code *Calls} class only decodes the registers, looks up the
 * cap with the call's right, calls the object and encodes the result, as Gunyah's hypercall handlers do. Each
 * object package registers its factory when the hypervisor is assembled, so {@code partition} names no object
 * class. {@code rm} is the Resource Manager (HLOS boot, the VM lifecycle over RPC, VM_GET_HYP_RESOURCES, console,
 * memparcels, VIRQ allocation) with {@code rm.rpc} (the wire protocol), {@code rm.config} (the real RM's VM-config
 * parse and VM_INIT rules, also behind {@code gunyah-dt vm-check}) and {@code rm.overlay} (each guest's
 * {@code /hypervisor} overlay); {@code guest} holds the programs VMs run and {@code sim} a whole boot. Not built (a
 * hypercall for them answers UNIMPLEMENTED): the vRTC object and virtio-input, among others listed (and counted
 * against the real sources) in hypervisor/README.md.
 *
 * <p>Section numbers in this module's comments — "§N.M", "reference §N", "gunyah-model.md §N" — refer to
 * docs/gunyah-model.md (the Gunyah facts, each with its upstream file); "DESIGN.md §N" refers to docs/design.md.
 */
package dev.gunyahdt.hypervisor;
