/**
 * The virtio-mmio object ([HYP] {@code hyp/vm/virtio_mmio}): a virtio 1.x MMIO register frame in one page of a
 * memextent, written directly by the backend VM (mapped read-write) and read by the frontend VM (mapped
 * read-only), whose writes the object emulates; the backend's hypercalls, and the two VIRQ sources between them.
 */
package dev.gunyahdt.hypervisor.virtio;
