package dev.gunyahdt.hypervisor.cspace;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A capability space (§2.3): a table of cap slots, each empty (NULL), VALID or REVOKED, naming an object
 * and the rights held on it. CapIDs are opaque: slot value × random 16-bit multiplier, XOR a random 64-bit
 * base whose top 32 bits stay below 0xFFFFFF00 — so CSPACE_CAP_INVALID (-1) is never a CapID.
 * The multiplier and base come from the hypervisor's seeded generator: same seed, same CapIDs.
 */
public final class CSpace extends KernelObject {
    /** 2048-byte cap table / 32-byte cap = 64 slots per table; the slot value is table&lt;&lt;8 | index. */
    static final int SLOTS_PER_TABLE = 64;
    /**
     * Tables per cspace. The reference does not give the count; 16 tables (1024 caps) is this model's
     * limit, which is exactly what the RM asks of each secondary VM (max_caps 1024).
     */
    static final int MAX_TABLES = 16;
    public static final int MAX_CAPS = SLOTS_PER_TABLE * MAX_TABLES;

    private final int multiplier;
    private final long base;
    /** Added to the encoded slot value: 0, except for {@link CapIdNumbering#FROM_ONE}. */
    private final long offset;
    private int maxCaps;
    private Cap[] slots = new Cap[0];
    /** Threads (today: {@code Caller} handles) running on this cspace keep it alive. */
    private int attachedThreads;

    /** One slot's content. Mutable only inside this package. */
    static final class Cap {
        final KernelObject object;
        final int rights;
        final long serial;
        /** Serial of the master cap this was copied from; 0 for a master cap. */
        final long parentSerial;
        boolean revoked;

        Cap(KernelObject object, int rights, long serial, long parentSerial) {
            this.object = object;
            this.rights = rights;
            this.serial = serial;
            this.parentSerial = parentSerial;
        }

        boolean master() {
            return parentSerial == 0;
        }
    }

    /** A cspace in INIT, to be configured and activated; CapID scrambling drawn from {@code rng}. */
    public CSpace(long serial, Random rng) {
        super(ObjectType.CSPACE, serial);
        this.multiplier = 1 + rng.nextInt(0xFFFF);
        long b;
        do {
            b = rng.nextLong();
        } while ((b >>> 32) >= 0xFFFFFF00L);
        this.base = b;
        this.offset = 0;
    }

    /** A cspace in INIT whose CapIDs follow {@code numbering}; scrambling (if any) drawn from {@code rng}. */
    public static CSpace create(long serial, CapIdNumbering numbering, Random rng) {
        return numbering == CapIdNumbering.SCRAMBLED ? new CSpace(serial, rng) : new CSpace(serial, numbering.first());
    }

    /** Unscrambled: multiplier 1, base 0 (cspace_init_id_encoder under DISABLE_CSPACE_RAND), plus {@code first}. */
    private CSpace(long serial, long first) {
        super(ObjectType.CSPACE, serial);
        this.multiplier = 1;
        this.base = 0;
        this.offset = first;
    }

    /** The root VM's cspace, created ACTIVE at boot with {@code maxCaps} slots. */
    public static CSpace bootCSpace(long serial, Random rng, int maxCaps) {
        CSpace cs = new CSpace(serial, rng);
        cs.maxCaps = maxCaps;
        cs.slots = new Cap[maxCaps];
        cs.markActiveAtBoot();
        return cs;
    }

    // ---- CapID encoding -------------------------------------------------------------------------

    private long encode(int linear) {
        int slotValue = (linear / SLOTS_PER_TABLE) << 8 | (linear % SLOTS_PER_TABLE);
        return (((long) slotValue * multiplier) ^ base) + offset;
    }

    /** Linear slot index of a CapID, or -1 when it does not decode to a slot of this cspace. */
    private int decode(long capId) {
        long v = (capId - offset) ^ base;
        if (Long.remainderUnsigned(v, multiplier) != 0) {
            return -1;
        }
        long slotValue = Long.divideUnsigned(v, multiplier);
        if (slotValue < 0 || slotValue > 0xFFFF) {
            return -1;
        }
        int table = (int) (slotValue >> 8);
        int index = (int) (slotValue & 0xFF);
        if (index >= SLOTS_PER_TABLE) {
            return -1;
        }
        int linear = table * SLOTS_PER_TABLE + index;
        return linear < maxCaps ? linear : -1;
    }

    // ---- lookup ----------------------------------------------------------------------------------

    /**
     * Resolves {@code capId} in the order the code checks (§1.6): undecodable → ARGUMENT_INVALID; empty
     * slot → CSPACE_CAP_NULL; revoked → CSPACE_CAP_REVOKED; other type → CSPACE_WRONG_OBJECT_TYPE; a
     * missing right → CSPACE_INSUFFICIENT_RIGHTS; then, for the typed lookups operations use, an object
     * that is not ACTIVE → OBJECT_STATE. {@code type} null accepts any type (object_activate).
     */
    public Lookup lookup(long capId, ObjectType type, int rights, boolean requireActive) {
        int i = decode(capId);
        if (i < 0) {
            return Lookup.fail(HypError.ARGUMENT_INVALID);
        }
        Cap c = slots[i];
        if (c == null) {
            return Lookup.fail(HypError.CSPACE_CAP_NULL);
        }
        if (c.revoked) {
            return Lookup.fail(HypError.CSPACE_CAP_REVOKED);
        }
        if (type != null && c.object.type() != type) {
            return Lookup.fail(HypError.CSPACE_WRONG_OBJECT_TYPE);
        }
        if ((c.rights & rights) != rights) {
            return Lookup.fail(HypError.CSPACE_INSUFFICIENT_RIGHTS);
        }
        if (requireActive && c.object.state() != ObjectState.ACTIVE) {
            return Lookup.fail(HypError.OBJECT_STATE);
        }
        return new Lookup(HypError.OK, c.object);
    }

    /** The rights the cap {@code capId} holds, or -1 when it is not a VALID cap (for tests and oracles). */
    public int rightsOf(long capId) {
        int i = decode(capId);
        return i < 0 || slots[i] == null || slots[i].revoked ? -1 : slots[i].rights;
    }

    /** CapIDs of every VALID cap, in slot order (what a guest could legitimately name). */
    public List<Long> validCapIds() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null && !slots[i].revoked) {
                out.add(encode(i));
            }
        }
        return out;
    }

    // ---- mutation (package and creation paths) ---------------------------------------------------

    /** Places a master cap with all of the type's rights; the CapID, or -1 when the cspace is full. */
    public long insertMaster(KernelObject o, long capSerial) {
        return insert(new Cap(o, o.type().allRights(), capSerial, 0));
    }

    long insert(Cap cap) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) {
                slots[i] = cap;
                return encode(i);
            }
        }
        return -1;
    }

    /** Whether one more cap fits (checked before anything is created, so a full cspace changes nothing). */
    public boolean hasFreeSlot() {
        for (Cap c : slots) {
            if (c == null) {
                return true;
            }
        }
        return false;
    }

    /** The cap in slot {@code capId} whatever its state, or null (empty or undecodable). */
    Cap capAt(long capId) {
        int i = decode(capId);
        return i < 0 ? null : slots[i];
    }

    void clear(long capId) {
        slots[decode(capId)] = null;
    }

    Cap[] slots() {
        return slots;
    }

    int maxCaps() {
        return maxCaps;
    }

    void setMaxCaps(int n) {
        maxCaps = n;
    }

    boolean referencesObject(KernelObject o) {
        for (Cap c : slots) {
            if (c != null && c.object == o) {
                return true;
            }
        }
        return false;
    }

    /** A thread (a {@code Caller}) now runs on this cspace; it holds a reference. */
    public void attachThread() {
        attachedThreads++;
    }

    /** A thread left this cspace (re-attached elsewhere or destroyed). */
    public void detachThread() {
        if (attachedThreads > 0) {
            attachedThreads--;
        }
    }

    boolean hasThreads() {
        return attachedThreads > 0;
    }

    @Override
    protected HypError onActivate() {
        if (maxCaps == 0) {
            return HypError.OBJECT_CONFIG;
        }
        slots = new Cap[maxCaps];
        return HypError.OK;
    }

    @Override
    protected String describeState() {
        StringBuilder sb = new StringBuilder(" max=").append(maxCaps).append(" caps={");
        for (int i = 0; i < slots.length; i++) {
            Cap c = slots[i];
            if (c != null) {
                sb.append(' ').append(Long.toHexString(encode(i))).append("->").append(c.object)
                        .append('/').append(Integer.toHexString(c.rights))
                        .append(c.master() ? "/m" : "/c" + c.parentSerial)
                        .append(c.revoked ? "/revoked" : "");
            }
        }
        return sb.append(" }").toString();
    }
}
