package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.object.ObjectType;

/**
 * A capability space as the other object packages use it — what Gunyah's cspace interface
 * ({@code hyp/interfaces/cspace}) gives its modules: typed lookup ({@code cspace_lookup_object}) and master-cap
 * creation ({@code cspace_create_master_cap}). {@code cspace.CSpace} implements it; handlers never name that class.
 */
public interface Capabilities {

    /**
     * Resolves {@code capId} to an object of {@code type} (null: any type) on which the cap holds every bit of
     * {@code rights}, ACTIVE when {@code requireActive}; else the error in the order the code checks.
     */
    Lookup lookup(long capId, ObjectType type, int rights, boolean requireActive);

    /** Whether one more cap fits (checked before anything is created, so a full cspace changes nothing). */
    boolean hasFreeSlot();

    /** Places a master cap to {@code o} with all of its type's rights; the CapID, or -1 when full. */
    long insertMaster(KernelObject o, long capSerial);
}
