package dev.gunyahdt.hypervisor.cspace;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.hypercall.Capabilities;
import dev.gunyahdt.hypervisor.hypercall.Lookup;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.Partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * A capability space (§2.3): a table of cap slots, each empty (NULL), VALID or REVOKED, naming an object
 * and the rights held on it. CapIDs are opaque: slot value × random 16-bit multiplier, XOR a random 64-bit
 * base whose top 32 bits stay below 0xFFFFFF00 — so CSPACE_CAP_INVALID (-1) is never a CapID.
 * The multiplier and base come from the hypervisor's seeded generator: same seed, same CapIDs.
 */
public final class CSpace extends KernelObject implements Capabilities {
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

    /** One slot's content. */
    private static final class Cap {
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
    private CSpace(long serial, Random rng) {
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
    @Override
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
    @Override
    public long insertMaster(KernelObject o, long capSerial) {
        return insert(new Cap(o, o.type().allRights(), capSerial, 0));
    }

    private long insert(Cap cap) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) {
                slots[i] = cap;
                return encode(i);
            }
        }
        return -1;
    }

    /** Whether one more cap fits (checked before anything is created, so a full cspace changes nothing). */
    @Override
    public boolean hasFreeSlot() {
        for (Cap c : slots) {
            if (c == null) {
                return true;
            }
        }
        return false;
    }

    /** The cap in slot {@code capId} whatever its state, or null (empty or undecodable). */
    private Cap capAt(long capId) {
        int i = decode(capId);
        return i < 0 ? null : slots[i];
    }

    /** OK when {@code capId} names a VALID cap here; else the lookup error. */
    private HypError capError(long capId) {
        return lookup(capId, null, 0, false).error();
    }

    // ---- the cspace operations ([HYP] hyp/core/cspace_twolevel/src/cspace_twolevel.c) ------------------

    /** cspace_configure(max_caps): INIT only, at most {@link #MAX_CAPS}. */
    HypError configure(long caps) {
        if (state() != ObjectState.INIT) {
            return HypError.OBJECT_STATE;
        }
        if (Long.compareUnsigned(caps, MAX_CAPS) > 0) {
            return HypError.ARGUMENT_INVALID;
        }
        maxCaps = (int) caps;
        return HypError.OK;
    }

    /** What cspace_copy_cap returns: the error, and the new CapID when OK. */
    record Copied(HypError error, long capId) {
    }

    /**
     * cspace_copy_cap: a copy of {@code from}'s VALID cap {@code capId} with its rights limited to
     * {@code rightsMask}, placed here; its serial drawn from {@code serials} only on success.
     */
    Copied copyFrom(CSpace from, long capId, int rightsMask, LongSupplier serials) {
        HypError e = from.capError(capId);
        if (e != HypError.OK) {
            return new Copied(e, -1);
        }
        if (!hasFreeSlot()) {
            return new Copied(HypError.CSPACE_FULL, -1);
        }
        Cap c = from.capAt(capId);
        // A copy of a copy still hangs off the original master, so revoking the master reaches it too.
        long parent = c.master() ? c.serial : c.parentSerial;
        return new Copied(HypError.OK, insert(new Cap(c.object, c.rights & rightsMask, serials.getAsLong(), parent)));
    }

    /**
     * cspace_delete_cap: empties the slot (a REVOKED cap may be deleted too); an object no cap names any more is
     * destroyed (object_put).
     */
    HypError deleteCap(long capId, Partition partition) {
        Cap c = capAt(capId);
        if (c == null) {
            return capError(capId);
        }
        slots[decode(capId)] = null;
        dropIfUnreferenced(partition, c.object);
        return HypError.OK;
    }

    /** cspace_revoke_caps: every copy of master cap {@code capId}, in any cspace of {@code partition}, becomes REVOKED. */
    HypError revokeCaps(long capId, Partition partition) {
        HypError e = capError(capId);
        if (e != HypError.OK) {
            return e;
        }
        Cap master = capAt(capId);
        if (!master.master()) {
            // Model choice: only a master cap has children to revoke.
            return HypError.ARGUMENT_INVALID;
        }
        for (CSpace each : cspaces(partition)) {
            for (Cap c : each.slots) {
                if (c != null && c.parentSerial == master.serial) {
                    c.revoked = true;
                }
            }
        }
        return HypError.OK;
    }

    private static List<CSpace> cspaces(Partition p) {
        List<CSpace> out = new ArrayList<>();
        for (KernelObject o : p.objects()) {
            if (o instanceof CSpace cs) {
                out.add(cs);
            }
        }
        return out;
    }

    /**
     * Refcounting (§2.2): when no cap anywhere names {@code o} (and, for a cspace, no thread runs on it),
     * the object is destroyed and leaves the partition; a destroyed cspace drops the caps it held, which
     * may destroy more objects.
     */
    private static void dropIfUnreferenced(Partition p, KernelObject o) {
        if (o instanceof Partition || (o instanceof CSpace cs && cs.attachedThreads > 0)) {
            return;
        }
        for (CSpace cs : cspaces(p)) {
            if (cs.referencesObject(o)) {
                return;
            }
        }
        KernelObject.Lifecycle.destroy(o);
        p.unregister(o);
        if (o instanceof CSpace gone) {
            List<KernelObject> held = new ArrayList<>();
            Cap[] slots = gone.slots;
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null) {
                    held.add(slots[i].object);
                    slots[i] = null;
                }
            }
            for (KernelObject h : held) {
                dropIfUnreferenced(p, h);
            }
        }
    }

    private boolean referencesObject(KernelObject o) {
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
