package dev.gunyahdt.hypervisor.object;

/**
 * How one object type is allocated by {@code partition_create_*}: a new object in INIT, owned by
 * {@code partition} (Gunyah's {@code partition_allocate_<type>}). Each object package registers its own in
 * {@link ObjectFactories} when the hypervisor is assembled.
 */
@FunctionalInterface
public interface ObjectFactory {
    KernelObject create(long serial, KernelObject partition);
}
