package dev.gunyahdt.hypervisor.call;

/**
 * Gunyah's {@code error_t}, returned in X0 as a signed 32-bit value (reference §1.6).
 * Only the codes a guest can see are listed; the internal string/allocator ones are not.
 */
public enum HypError {
    OK(0),
    UNIMPLEMENTED(-1),
    RETRY(-2),
    ARGUMENT_INVALID(1),
    ARGUMENT_SIZE(2),
    ARGUMENT_ALIGNMENT(3),
    NOMEM(10),
    NORESOURCES(11),
    ADDR_OVERFLOW(20),
    ADDR_UNDERFLOW(21),
    ADDR_INVALID(22),
    DENIED(30),
    BUSY(31),
    IDLE(32),
    OBJECT_STATE(33),
    OBJECT_CONFIG(34),
    OBJECT_CONFIGURED(35),
    FAILURE(36),
    VIRQ_BOUND(40),
    VIRQ_NOT_BOUND(41),
    CSPACE_CAP_NULL(50),
    CSPACE_CAP_REVOKED(51),
    CSPACE_WRONG_OBJECT_TYPE(52),
    CSPACE_INSUFFICIENT_RIGHTS(53),
    CSPACE_FULL(54),
    MSGQUEUE_EMPTY(60),
    MSGQUEUE_FULL(61),
    MEMDB_EMPTY(110),
    MEMDB_NOT_OWNER(111),
    MEMEXTENT_MAPPINGS_FULL(120),
    MEMEXTENT_TYPE(121),
    EXISTING_MAPPING(200);

    private final int code;

    HypError(int code) {
        this.code = code;
    }

    /** The value as it appears in X0 (sign-extended to 64 bits). */
    public int code() {
        return code;
    }

    /** Codes -2..200 by code + 2: X0 is decoded on every hypercall result, so a table, not a scan of values(). */
    private static final HypError[] BY_CODE = new HypError[203];

    static {
        for (HypError e : values()) {
            BY_CODE[e.code + 2] = e;
        }
    }

    /** Decodes X0; null when the value is not a known error code. */
    public static HypError of(long x0) {
        return x0 >= -2 && x0 <= 200 ? BY_CODE[(int) x0 + 2] : null;
    }
}
