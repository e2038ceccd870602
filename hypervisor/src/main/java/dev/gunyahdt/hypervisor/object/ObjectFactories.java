package dev.gunyahdt.hypervisor.object;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The object types this hypervisor can create, each with its factory: filled by the object packages when
 * the hypervisor is assembled, read by the partition package, which defines one {@code partition_create_*}
 * call per registered type and so names no concrete object class.
 */
public final class ObjectFactories {
    private final Map<ObjectType, ObjectFactory> byType = new EnumMap<>(ObjectType.class);

    /** {@code type}'s objects are made by {@code factory}; a type registers once. */
    public void register(ObjectType type, ObjectFactory factory) {
        if (byType.putIfAbsent(type, factory) != null) {
            throw new IllegalStateException(type + " registered twice");
        }
    }

    /** Every registered type and its factory, in {@link ObjectType} order. */
    public Map<ObjectType, ObjectFactory> all() {
        return Collections.unmodifiableMap(byType);
    }
}
