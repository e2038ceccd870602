package dev.gunyahdt.hypervisor.memory;

import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.Partition;

import java.util.ArrayList;
import java.util.List;

/**
 * A memory extent (§7.1): a physical range [base, base+size) with an access ceiling and a memtype. A BASIC
 * extent takes every page of its range from its parent when activated and is mapped whole, at most 4
 * times; a SPARSE extent starts owning nothing and gets pages by {@code memextent_donate}, and may be mapped
 * in parts. A derived extent's parent is another extent, otherwise the partition it was created from.
 * Destroying an extent returns the pages it still owns to its parent and removes its mappings.
 */
public final class MemExtent extends KernelObject {
    public static final int BASIC = 0;
    public static final int SPARSE = 1;
    /** MEMEXTENT_MAX_MAPS: mappings of a BASIC extent (§7.1). */
    static final int MAX_MAPS = 4;

    private final MemDb memdb;
    final Partition partition;
    long base;
    long size;
    int access;
    int memtype;
    int extentType;
    /** The extent this one was derived from; null: the partition is the parent. */
    MemExtent parent;
    boolean configured;
    final List<AddrSpace.Mapping> mappings = new ArrayList<>();

    public MemExtent(long serial, MemDb memdb, Partition partition) {
        super(ObjectType.MEMEXTENT, serial);
        this.memdb = memdb;
        this.partition = partition;
    }

    /** The owner pages come from and go back to. */
    Object parentOwner() {
        return parent != null ? parent : partition;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** §2.2: a memextent needs a size; a BASIC one takes its pages from its parent here (else MEMDB_NOT_OWNER). */
    @Override
    protected HypError onActivate() {
        if (!configured || size == 0) {
            return HypError.OBJECT_CONFIG;
        }
        if (parent != null && parent.state() != ObjectState.ACTIVE) {
            return HypError.OBJECT_STATE;
        }
        if (extentType == BASIC && !memdb.transfer(base, size, parentOwner(), this)) {
            return HypError.MEMDB_NOT_OWNER;
        }
        return HypError.OK;
    }

    @Override
    protected void onDestroy() {
        for (AddrSpace.Mapping m : new ArrayList<>(mappings)) {
            m.space().remove(m);
        }
        if (state() == ObjectState.ACTIVE) {
            memdb.returnAll(base, size, this, parentOwner());
        }
    }

    @Override
    protected String describeState() {
        return " base=" + Long.toHexString(base) + " size=" + Long.toHexString(size) + " access=" + access
                + " memtype=" + memtype + " type=" + extentType + " parent=" + (parent == null ? "-" : parent)
                + " maps=" + mappings.size();
    }
}
