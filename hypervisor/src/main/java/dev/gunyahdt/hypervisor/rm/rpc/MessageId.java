package dev.gunyahdt.hypervisor.rm.rpc;

import java.util.HashMap;
import java.util.Map;

/**
 * Every RM RPC message ID the reference lists (§8.5), with the RM's name for it.
 *
 * <p>{@link Handling} records what the real RM does with a request carrying the ID: {@code HANDLED}, or
 * {@code NOT_IMPLEMENTED} for IDs that are defined but have no handler (the RM answers them like unknown IDs,
 * with {@link RmError#UNIMPLEMENTED}). VM_SUSPEND / VM_RESUME are commented out in the RM; they are listed so
 * the table is complete, and are treated as unknown too. The notification IDs for memory are listed in §8.5
 * as MEM_SHARED etc.; they carry a {@code NOTIFY_} prefix here so they cannot be confused with the requests.
 */
public enum MessageId {
    VM_ALLOCATE(0x5600_0001, Kind.REQUEST),
    VM_DEALLOCATE(0x5600_0002, Kind.REQUEST),
    VM_START(0x5600_0004, Kind.REQUEST),
    VM_STOP(0x5600_0005, Kind.REQUEST),
    VM_RESET(0x5600_0006, Kind.REQUEST),
    VM_SUSPEND(0x5600_0007, Kind.REQUEST, Handling.NOT_IMPLEMENTED),
    VM_RESUME(0x5600_0008, Kind.REQUEST, Handling.NOT_IMPLEMENTED),
    VM_CONFIG_IMAGE(0x5600_0009, Kind.REQUEST),
    VM_AUTH_IMAGE(0x5600_000A, Kind.REQUEST),
    VM_INIT(0x5600_000B, Kind.REQUEST),
    VM_GET_ID(0x5600_0010, Kind.REQUEST),
    VM_LOOKUP_URI(0x5600_0011, Kind.REQUEST),
    VM_LOOKUP_GUID(0x5600_0012, Kind.REQUEST),
    VM_LOOKUP_NAME(0x5600_0013, Kind.REQUEST),
    VM_GET_OWNER(0x5600_0015, Kind.REQUEST),
    VM_GET_STATE(0x5600_0017, Kind.REQUEST),
    VM_GET_CRASH_MSG(0x5600_0019, Kind.REQUEST),
    VM_GET_HYP_RESOURCES(0x5600_0020, Kind.REQUEST),
    VM_GET_HYP_CAPIDS(0x5600_0021, Kind.REQUEST, Handling.NOT_IMPLEMENTED),
    VM_GET_HYP_IRQS(0x5600_0022, Kind.REQUEST, Handling.NOT_IMPLEMENTED),
    VM_GET_VMID(0x5600_0024, Kind.REQUEST),
    VM_GET_PEERS(0x5600_0025, Kind.REQUEST),
    VM_SET_TIME_BASE(0x5600_0030, Kind.REQUEST),
    VM_SET_CONTEXT(0x5600_0031, Kind.REQUEST, Handling.NOT_IMPLEMENTED),
    VM_SET_FIRMWARE_MEM(0x5600_0032, Kind.REQUEST),
    VM_IRQ_ACCEPT(0x5600_0050, Kind.REQUEST),
    VM_IRQ_LEND(0x5600_0051, Kind.REQUEST),
    VM_IRQ_RELEASE(0x5600_0052, Kind.REQUEST),
    VM_IRQ_RECLAIM(0x5600_0053, Kind.REQUEST),
    VM_IRQ_NOTIFY(0x5600_0054, Kind.REQUEST),
    VM_IRQ_UNMAP(0x5600_0055, Kind.REQUEST),
    VM_SET_STATUS(0x5600_0080, Kind.REQUEST),
    VM_CONSOLE_OPEN(0x5600_0081, Kind.REQUEST),
    VM_CONSOLE_CLOSE(0x5600_0082, Kind.REQUEST),
    VM_CONSOLE_WRITE(0x5600_0083, Kind.REQUEST),
    VM_CONSOLE_FLUSH(0x5600_0084, Kind.REQUEST),
    VM_EXIT(0x5600_0085, Kind.REQUEST),
    VM_SET_CRASH_MSG(0x5600_0086, Kind.REQUEST),
    VM_HOST_GET_TYPE(0x5600_00A0, Kind.REQUEST),
    IPA_RESERVE(0x5600_00B0, Kind.REQUEST),
    IPA_UNRESERVE(0x5600_00B1, Kind.REQUEST),
    MEM_DONATE(0x5100_0010, Kind.REQUEST),
    MEM_ACCEPT(0x5100_0011, Kind.REQUEST),
    MEM_LEND(0x5100_0012, Kind.REQUEST),
    MEM_SHARE(0x5100_0013, Kind.REQUEST),
    MEM_RELEASE(0x5100_0014, Kind.REQUEST),
    MEM_RECLAIM(0x5100_0015, Kind.REQUEST),
    MEM_NOTIFY(0x5100_0017, Kind.REQUEST),
    MEM_APPEND(0x5100_0018, Kind.REQUEST),
    MEM_QCOM_LOOKUP_SGL(0x5100_001A, Kind.REQUEST),
    FW_MILESTONE(0x5100_0020, Kind.REQUEST),
    FW_SET_VM_FIRMWARE(0x5100_0021, Kind.REQUEST),

    NOTIFY_VM_EXITED(0x5610_0001, Kind.NOTIFICATION),
    NOTIFY_VM_SHUTDOWN(0x5610_0002, Kind.NOTIFICATION),
    NOTIFY_VM_STATUS(0x5610_0008, Kind.NOTIFICATION),
    NOTIFY_VM_IRQ_LENT(0x5610_0011, Kind.NOTIFICATION),
    NOTIFY_VM_IRQ_RELEASED(0x5610_0012, Kind.NOTIFICATION),
    NOTIFY_VM_IRQ_ACCEPTED(0x5610_0013, Kind.NOTIFICATION),
    NOTIFY_VM_CONSOLE_CHARS(0x5610_0080, Kind.NOTIFICATION),
    NOTIFY_MEM_SHARED(0x5110_0011, Kind.NOTIFICATION),
    NOTIFY_MEM_RELEASED(0x5110_0012, Kind.NOTIFICATION),
    NOTIFY_MEM_ACCEPTED(0x5110_0013, Kind.NOTIFICATION),
    NOTIFY_MEM_RECALL(0x5110_0014, Kind.NOTIFICATION);

    /** Whether the ID names a request (answered by a reply) or a notification the RM sends. */
    public enum Kind {
        REQUEST,
        NOTIFICATION
    }

    /** What the RM does with a request carrying the ID. */
    public enum Handling {
        HANDLED,
        NOT_IMPLEMENTED
    }

    private static final Map<Integer, MessageId> BY_ID = new HashMap<>();

    static {
        for (MessageId m : values()) {
            BY_ID.put(m.id, m);
        }
    }

    private final int id;
    private final Kind kind;
    private final Handling handling;

    MessageId(int id, Kind kind) {
        this(id, kind, Handling.HANDLED);
    }

    MessageId(int id, Kind kind, Handling handling) {
        this.id = id;
        this.kind = kind;
        this.handling = handling;
    }

    /** The u32 on the wire. */
    public int id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public Handling handling() {
        return handling;
    }

    /** The listed ID with this wire value, or null. */
    public static MessageId of(int id) {
        return BY_ID.get(id);
    }

    /** The RM's name for a wire value, or {@code 0x........} when the reference lists none. */
    public static String nameOf(int id) {
        MessageId m = of(id);
        return m != null ? m.name() : String.format("0x%08x", id);
    }
}
