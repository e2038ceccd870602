/**
 * The Java model of the Gunyah hypervisor (issue 5). Built so far: the object and capability core
 * ({@code object}, {@code partition}, {@code cspace}), hypercall dispatch ({@code hypercall}), message queues
 * ({@code msgqueue}), doorbells ({@code doorbell}) and a placeholder VIC that records VIRQ assertions
 * ({@code vic}, {@code virq}). {@link dev.gunyahdt.hypervisor.Hypervisor} is the entry point. vCPUs, the
 * scheduler, the vGIC, memory, the Resource Manager and overlay generation are not built yet: see README.md.
 */
package dev.gunyahdt.hypervisor;
