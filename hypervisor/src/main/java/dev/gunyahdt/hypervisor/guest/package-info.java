/**
 * The programs guest VMs run ({@link dev.gunyahdt.hypervisor.guest.GuestPrograms}); one, {@code linux-probe}
 * ({@link dev.gunyahdt.hypervisor.guest.LinuxProbe}), behaves as a Linux guest's Gunyah drivers do. It reads its
 * devicetree once into an immutable description ({@code GuestDt}, by {@code GuestDtReader}: the RM link, queues,
 * doorbells, shared memory and memory, vdevices chosen by {@code compatible} through a table), then runs a queue
 * of actions over RPC ({@code ActionLoop}); its parts are the VM_GET_HYP_RESOURCES check ({@code HypResources}),
 * the queue and doorbell exchange ({@code Peers}) and, for the primary, the VMM role that launches the
 * secondaries and runs their proxy-scheduled vCPUs ({@code Vmm}). {@link dev.gunyahdt.hypervisor.guest.GuestReport}
 * is what a program found and did.
 */
package dev.gunyahdt.hypervisor.guest;
