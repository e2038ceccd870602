package dev.gunyahdt.hypervisor.partition;

import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A partition: the owner objects are allocated from, and the registry of the objects it holds, in
 * creation order. The pages it owns are recorded in the hypervisor's {@code memory.MemDb}.
 */
public final class Partition extends KernelObject {
    private final List<KernelObject> objects = new ArrayList<>();

    /** The root partition, ACTIVE from boot. */
    public static Partition root(long serial) {
        Partition p = new Partition(serial);
        p.markActiveAtBoot();
        p.objects.add(p);
        return p;
    }

    private Partition(long serial) {
        super(ObjectType.PARTITION, serial);
    }

    public void register(KernelObject o) {
        objects.add(o);
    }

    /** Called when an object is destroyed (its last cap deleted). */
    public void unregister(KernelObject o) {
        objects.remove(o);
    }

    /** Live objects in creation order (this partition first). */
    public List<KernelObject> objects() {
        return Collections.unmodifiableList(objects);
    }

    @Override
    protected String describeState() {
        return " objects=" + objects.size();
    }
}
