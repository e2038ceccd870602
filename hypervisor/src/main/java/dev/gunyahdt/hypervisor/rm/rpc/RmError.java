package dev.gunyahdt.hypervisor.rm.rpc;

import dev.gunyahdt.hypervisor.call.HypError;

/** The u32 {@code rm_error} that starts every reply payload (reference §8.3). */
public enum RmError {
    OK(0),
    UNIMPLEMENTED(0xFFFF_FFFF),
    NOMEM(1),
    NORESOURCE(2),
    DENIED(3),
    MSG_INVALID(4),
    BUSY(5),
    ARGUMENT_INVALID(6),
    HANDLE_INVALID(7),
    VALIDATE_FAILED(8),
    MAP_FAILED(9),
    MEM_INVALID(10),
    MEM_INUSE(11),
    MEM_RELEASED(12),
    VMID_INVALID(13),
    LOOKUP_FAILED(14),
    IRQ_INVALID(15),
    IRQ_INUSE(16),
    IRQ_RELEASED(17),
    IN_USE(18),
    IRQ_NOT_MAPPED(19),
    VM_STATE(20);

    private final int code;

    RmError(int code) {
        this.code = code;
    }

    /** The wire value (as a signed int; UNIMPLEMENTED is -1). */
    public int code() {
        return code;
    }

    /** The error for a wire value, or null when the RM defines none. */
    public static RmError of(int code) {
        for (RmError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /** How the RM turns a hypercall error into its own (§8.3); anything unlisted becomes DENIED. */
    public static RmError fromHyp(HypError e) {
        return switch (e) {
            case OK -> OK;
            case UNIMPLEMENTED -> UNIMPLEMENTED;
            case NOMEM -> NOMEM;
            case NORESOURCES -> NORESOURCE;
            case DENIED -> DENIED;
            case BUSY -> BUSY;
            case ADDR_OVERFLOW, ADDR_UNDERFLOW, ADDR_INVALID -> MEM_INVALID;
            case ARGUMENT_INVALID -> ARGUMENT_INVALID;
            default -> DENIED;
        };
    }
}
