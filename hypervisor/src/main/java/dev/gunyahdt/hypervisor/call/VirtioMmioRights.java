package dev.gunyahdt.hypervisor.call;

/** Rights on a virtio-mmio cap ([HYP] {@code hyp/vm/virtio_mmio/virtio_mmio.tc}: cap_rights_virtio_mmio). */
public final class VirtioMmioRights {
    /** Bit 0: bind/unbind the backend source (the VIRQ the frontend takes). */
    public static final int BIND_BACKEND_VIRQ = 0x1;
    /** Bit 1: bind/unbind the frontend source (the VIRQ the backend takes). */
    public static final int BIND_FRONTEND_VIRQ = 0x2;
    /** Bit 2: virtio_mmio_backend_assert_virq. */
    public static final int ASSERT_VIRQ = 0x4;
    /** Bit 3: the backend's configuration and query calls. */
    public static final int CONFIG = 0x8;

    private VirtioMmioRights() {}
}
