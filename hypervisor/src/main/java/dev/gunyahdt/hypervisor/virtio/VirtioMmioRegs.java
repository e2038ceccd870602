package dev.gunyahdt.hypervisor.virtio;

/**
 * The virtio-mmio register frame (virtio 1.1 §4.2.2; [HYP] {@code virtio_mmio.tc}, {@code virtio_mmio_regs}):
 * byte offsets in the device's page, and the values the spec and the hypervisor fix.
 */
public final class VirtioMmioRegs {
    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int VENDOR_ID = 0x00c;
    public static final int DEVICE_FEATURES = 0x010;
    public static final int DEVICE_FEATURES_SEL = 0x014;
    public static final int DRIVER_FEATURES = 0x020;
    public static final int DRIVER_FEATURES_SEL = 0x024;
    public static final int QUEUE_SEL = 0x030;
    public static final int QUEUE_NUM_MAX = 0x034;
    public static final int QUEUE_NUM = 0x038;
    public static final int QUEUE_READY = 0x044;
    public static final int QUEUE_NOTIFY = 0x050;
    public static final int INTERRUPT_STATUS = 0x060;
    public static final int INTERRUPT_ACK = 0x064;
    public static final int STATUS = 0x070;
    public static final int QUEUE_DESC_LOW = 0x080;
    public static final int QUEUE_DESC_HIGH = 0x084;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DRIVER_HIGH = 0x094;
    public static final int QUEUE_DEVICE_LOW = 0x0a0;
    public static final int QUEUE_DEVICE_HIGH = 0x0a4;
    public static final int CONFIG_GENERATION = 0x0fc;
    public static final int CONFIG = 0x100;
    /** VIRTIO_MMIO_REG_CONFIG_BYTES: the page less the common registers. */
    public static final int CONFIG_BYTES = 0x1000 - 0x100;

    /** "virt" little-endian. */
    public static final int MAGIC = 0x74726976;
    /** The non-legacy (virtio 1.x) interface. */
    public static final int VERSION_MODERN = 2;

    /** Device status bits (virtio 1.1 §2.1). */
    public static final int STATUS_ACKNOWLEDGE = 1;

    public static final int STATUS_DRIVER = 2;
    public static final int STATUS_DRIVER_OK = 4;
    public static final int STATUS_FEATURES_OK = 8;
    public static final int STATUS_DEVICE_NEEDS_RESET = 0x40;
    public static final int STATUS_FAILED = 0x80;

    /** Feature bits the hypervisor enforces, counted in the high word (bank 1). */
    public static final int F_VERSION_1 = 32;

    public static final int F_ACCESS_PLATFORM = 33;
    public static final int F_NOTIFICATION_DATA = 38;

    /** virtio_mmio_notify_reason bits (get_notification's X2). */
    public static final long REASON_NEW_BUFFER = 0x1;

    public static final long REASON_RESET_RQST = 0x2;
    public static final long REASON_DRIVER_OK = 0x8;
    public static final long REASON_FAILED = 0x10;

    /** InterruptStatus bits: a used buffer, a configuration change. */
    public static final int INT_USED_BUFFER = 0x1;

    public static final int INT_CONFIG_CHANGE = 0x2;

    /** VIRTIO_MMIO_MAX_VQS. */
    public static final int MAX_VQS = 16;

    private VirtioMmioRegs() {}
}
