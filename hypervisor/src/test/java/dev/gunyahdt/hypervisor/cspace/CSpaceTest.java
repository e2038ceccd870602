package dev.gunyahdt.hypervisor.cspace;

import dev.gunyahdt.hypervisor.call.CSpaceRights;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Fixture.Vm;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.doorbell.DoorbellCalls;
import dev.gunyahdt.hypervisor.call.DoorbellRights;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.msgqueue.MsgQueueCalls;
import dev.gunyahdt.hypervisor.call.MsgQueueRights;
import dev.gunyahdt.hypervisor.object.KernelObject;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.object.ObjectState;
import dev.gunyahdt.hypervisor.object.ObjectType;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import dev.gunyahdt.hypervisor.call.PartitionRights;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Capabilities, rights, lifecycle and the cspace/partition/object hypercalls (§2). */
class CSpaceTest {
    final Fixture f = new Fixture(7);

    private ObjectState stateOf(long rootCap) {
        return f.root.cspace().lookup(rootCap, null, 0, false).object().state();
    }

    @Test
    void createGivesAMasterCapWithAllRightsInInit() {
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        assertEquals(ObjectType.DOORBELL.allRights(), f.root.cspace().rightsOf(db));
        assertEquals(0x80000007, f.root.cspace().rightsOf(db));
        assertEquals(ObjectState.INIT, stateOf(db));
        assertEquals(0x80000003, f.root.cspace().rightsOf(f.hv.rootPartitionCap()));
        assertEquals(0x8000001F, f.root.cspace().rightsOf(f.hv.rootCSpaceCap()));
    }

    @Test
    void createNeedsObjectCreateAndCapCreate() {
        Vm vm = f.newVm("a");
        long part = f.grant(vm, f.hv.rootPartitionCap(), PartitionRights.DONATE);
        long cs = f.grant(vm, vm.cspaceCap(), CSpaceRights.CAP_CREATE);
        HvcResult r = f.hv.call(vm.caller(), PartitionCalls.CREATE_MSGQUEUE, part, cs, 0);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, r.error());
        assertEquals(-1, r.x1());
        long part2 = f.grant(vm, f.hv.rootPartitionCap(), PartitionRights.OBJECT_CREATE);
        long csNoCreate = f.grant(vm, vm.cspaceCap(), CSpaceRights.CAP_COPY);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(vm.caller(), PartitionCalls.CREATE_MSGQUEUE, part2, csNoCreate, 0).error());
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE,
                f.hv.call(vm.caller(), PartitionCalls.CREATE_MSGQUEUE, cs, cs, 0).error());
        HvcResult ok = f.hv.call(vm.caller(), PartitionCalls.CREATE_MSGQUEUE, part2, cs, 0);
        assertEquals(HypError.OK, ok.error());
        assertEquals(ObjectType.MSGQUEUE.allRights(), vm.caller().cspace().rightsOf(ok.x1()));
    }

    @Test
    void lookupErrorsInTheCodesOrder() {
        Vm vm = f.newVm("a");
        CSpace cs = vm.caller().cspace();
        long q = f.newMsgQueue(2, 8);
        long send = f.grant(vm, q, MsgQueueRights.SEND);
        long own = f.grant(vm, vm.cspaceCap(), CSpaceRights.CAP_DELETE);
        // Undecodable CapID
        assertEquals(HypError.ARGUMENT_INVALID, cs.lookup(-1L, null, 0, false).error());
        assertEquals(HypError.ARGUMENT_INVALID, cs.lookup(send ^ 0x1_0000_0000L, null, 0, false).error());
        // Wrong type, then rights
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, cs.lookup(send, ObjectType.DOORBELL, 0, true).error());
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                cs.lookup(send, ObjectType.MSGQUEUE, MsgQueueRights.RECEIVE, true).error());
        // An empty slot: delete the cap, the same CapID is now NULL
        assertEquals(HypError.OK, f.hv.call(vm.caller(), CSpaceCalls.DELETE_CAP_FROM, own, send, 0).error());
        assertEquals(HypError.CSPACE_CAP_NULL, cs.lookup(send, null, 0, false).error());
        assertEquals(HypError.CSPACE_CAP_NULL,
                f.hv.call(vm.caller(), MsgQueueCalls.SEND, send, 1, 0, 0, 0).error());
        // A typed lookup of an INIT object for an operation
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        assertEquals(HypError.OBJECT_STATE, f.call(DoorbellCalls.SEND, db, 1, 0).error());
    }

    @Test
    void copyMasksRightsAndRevokeReachesEveryChild() {
        Vm a = f.newVm("a");
        Vm b = f.newVm("b");
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(ObjectCalls.ACTIVATE, db, 0);
        long ca = f.grant(a, db, DoorbellRights.SEND | DoorbellRights.RECEIVE);
        long cb = f.grant(b, db, DoorbellRights.SEND);
        assertEquals(DoorbellRights.SEND | DoorbellRights.RECEIVE, a.caller().cspace().rightsOf(ca));
        assertEquals(HypError.OK, f.hv.call(a.caller(), DoorbellCalls.SEND, ca, 1, 0).error());
        f.ok(CSpaceCalls.REVOKE_CAPS_FROM, f.hv.rootCSpaceCap(), db, 0);
        assertEquals(HypError.CSPACE_CAP_REVOKED, f.hv.call(a.caller(), DoorbellCalls.SEND, ca, 1, 0).error());
        assertEquals(HypError.CSPACE_CAP_REVOKED, f.hv.call(b.caller(), DoorbellCalls.SEND, cb, 1, 0).error());
        // The master itself is untouched.
        assertEquals(HypError.OK, f.call(DoorbellCalls.SEND, db, 1, 0).error());
        // Revoking from a child cap is refused.
        long child = f.grant(a, db, DoorbellRights.SEND);
        long aSelf = f.grant(a, a.cspaceCap(), CSpaceRights.CAP_REVOKE);
        assertEquals(HypError.ARGUMENT_INVALID,
                f.hv.call(a.caller(), CSpaceCalls.REVOKE_CAPS_FROM, aSelf, child, 0).error());
    }

    @Test
    void copyNeedsCapCopyOnSourceAndCapCreateOnDestination() {
        Vm a = f.newVm("a");
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        long noCopy = f.grant(a, f.hv.rootCSpaceCap(), CSpaceRights.CAP_CREATE);
        long aCs = f.grant(a, a.cspaceCap(), CSpaceRights.CAP_COPY);
        // a names root's cspace without CAP_COPY as the source
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(a.caller(), CSpaceCalls.COPY_CAP_FROM, noCopy, db, aCs, -1, 0).error());
        // a's own cspace with only CAP_COPY as the destination
        long fullRoot = f.grant(a, f.hv.rootCSpaceCap(), CSpaceRights.CAP_COPY);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS,
                f.hv.call(a.caller(), CSpaceCalls.COPY_CAP_FROM, fullRoot, db, aCs, -1, 0).error());
    }

    @Test
    void fullCSpaceRefusesWithoutCreatingAnything() {
        long cs = f.newCSpace(2);
        Hypervisor hv = f.hv;
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        f.ok(CSpaceCalls.COPY_CAP_FROM, hv.rootCSpaceCap(), db, cs, -1, 0);
        f.ok(CSpaceCalls.COPY_CAP_FROM, hv.rootCSpaceCap(), db, cs, -1, 0);
        List<String> before = hv.snapshot();
        HvcResult r = f.call(CSpaceCalls.COPY_CAP_FROM, hv.rootCSpaceCap(), db, cs, -1, 0);
        assertEquals(HypError.CSPACE_FULL, r.error());
        assertEquals(-1, r.x1());
        assertEquals(HypError.CSPACE_FULL,
                f.call(PartitionCalls.CREATE_DOORBELL, hv.rootPartitionCap(), cs, 0).error());
        assertEquals(before, hv.snapshot());
    }

    @Test
    void configureAndActivateLifecycle() {
        long cs = f.create(PartitionCalls.CREATE_CSPACE);
        assertEquals(HypError.ARGUMENT_INVALID, f.call(CSpaceCalls.CONFIGURE, cs, CSpace.MAX_CAPS + 1, 0).error());
        f.ok(CSpaceCalls.CONFIGURE, cs, 16, 0);
        f.ok(ObjectCalls.ACTIVATE, cs, 0);
        assertEquals(ObjectState.ACTIVE, stateOf(cs));
        assertEquals(HypError.OBJECT_STATE, f.call(ObjectCalls.ACTIVATE, cs, 0).error());
        assertEquals(HypError.OBJECT_STATE, f.call(CSpaceCalls.CONFIGURE, cs, 16, 0).error());
    }

    @Test
    void activatingAnUnconfiguredObjectFailsForGood() {
        long cs = f.create(PartitionCalls.CREATE_CSPACE);
        assertEquals(HypError.OBJECT_CONFIG, f.call(ObjectCalls.ACTIVATE, cs, 0).error());
        assertEquals(ObjectState.FAILED, stateOf(cs));
        assertEquals(HypError.OBJECT_STATE, f.call(ObjectCalls.ACTIVATE, cs, 0).error());
        long q = f.create(PartitionCalls.CREATE_MSGQUEUE);
        assertEquals(HypError.OBJECT_CONFIG, f.call(ObjectCalls.ACTIVATE, q, 0).error());
        assertEquals(ObjectState.FAILED, stateOf(q));
    }

    @Test
    void activateNeedsTheActivateRight() {
        Vm a = f.newVm("a");
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        long weak = f.grant(a, db, DoorbellRights.SEND | DoorbellRights.RECEIVE | DoorbellRights.BIND);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, f.hv.call(a.caller(), ObjectCalls.ACTIVATE, weak, 0).error());
        long strong = f.grant(a, db, ObjectType.OBJECT_ACTIVATE);
        assertEquals(HypError.OK, f.hv.call(a.caller(), ObjectCalls.ACTIVATE, strong, 0).error());
    }

    @Test
    void activateFromAnotherCSpace() {
        Vm a = f.newVm("a");
        long q = f.create(PartitionCalls.CREATE_MSGQUEUE);
        f.ok(MsgQueueCalls.CONFIGURE, q, MsgQueueCalls.createInfo(1, 1), 0);
        long inA = f.grant(a, q, -1);
        f.ok(ObjectCalls.ACTIVATE_FROM, a.cspaceCap(), inA, 0);
        assertEquals(ObjectState.ACTIVE, stateOf(q));
        assertEquals(HypError.UNIMPLEMENTED, f.call(ObjectCalls.RESET, q, 0).error());
        assertEquals(HypError.UNIMPLEMENTED, f.call(ObjectCalls.RESET_FROM, a.cspaceCap(), inA, 0).error());
        assertEquals(HypError.UNIMPLEMENTED, f.call(CSpaceCalls.REVOKE_CAP_FROM, a.cspaceCap(), inA, 0).error());
    }

    @Test
    void deletingTheLastCapDestroysTheObject() {
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        KernelObject o = f.root.cspace().lookup(db, null, 0, false).object();
        Vm a = f.newVm("a");
        long inA = f.grant(a, db, DoorbellRights.SEND);
        f.ok(CSpaceCalls.DELETE_CAP_FROM, f.hv.rootCSpaceCap(), db, 0);
        assertTrue(f.hv.objects().contains(o));
        f.ok(CSpaceCalls.DELETE_CAP_FROM, a.cspaceCap(), inA, 0);
        assertEquals(ObjectState.DESTROYING, o.state());
        assertTrue(!f.hv.objects().contains(o));
        assertEquals(HypError.CSPACE_CAP_NULL, f.call(CSpaceCalls.DELETE_CAP_FROM, a.cspaceCap(), inA, 0).error());
    }

    @Test
    void attachNeedsAttachRightOnAnActiveCSpace() {
        long cs = f.create(PartitionCalls.CREATE_CSPACE);
        assertNull(f.hv.attach(f.root, cs, "x", dev.gunyahdt.hypervisor.call.GuestMemory.none()));
    }

    @Test
    void capIdsAreOpaqueUniqueAndNeverMinusOne() {
        long cs = f.newCSpace(CSpace.MAX_CAPS);
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < CSpace.MAX_CAPS; i++) {
            ids.add(f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), db, cs, -1, 0));
        }
        assertEquals(ids.size(), ids.stream().distinct().count());
        assertTrue(ids.stream().allMatch(id -> (id >>> 32) < 0xFFFFFF00L));
        assertNotEquals(0L, ids.get(1) - ids.get(0) - 1); // not plain slot numbers
    }

    /** A debug build (DISABLE_CSPACE_RAND) numbers caps by slot value from 0: table 1 starts at 0x100. */
    @Test
    void plainCapIdsAreSlotValuesFromZero() {
        f.hv.capIds(CapIdNumbering.PLAIN);
        long cs = f.newCSpace(CSpace.SLOTS_PER_TABLE + 1);
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i <= CSpace.SLOTS_PER_TABLE; i++) {
            ids.add(f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), db, cs, -1, 0));
        }
        assertEquals(0x0L, ids.get(0));
        assertEquals(0x1L, ids.get(1));
        assertEquals(0x3fL, ids.get(CSpace.SLOTS_PER_TABLE - 1));
        assertEquals(0x100L, ids.get(CSpace.SLOTS_PER_TABLE));
        CSpace space = (CSpace) f.root.cspace().lookup(cs, ObjectType.CSPACE, 0, false).object();
        assertEquals(ids, space.validCapIds());
        assertEquals(ObjectType.DOORBELL.allRights(), space.rightsOf(0x0L));
        assertEquals(-1, space.rightsOf(0x40L)); // index 64 is past a table's 64 slots
    }

    @Test
    void fromOneCapIdsAreSlotValuesPlusOne() {
        f.hv.capIds(CapIdNumbering.FROM_ONE);
        long cs = f.newCSpace(4);
        long db = f.create(PartitionCalls.CREATE_DOORBELL);
        assertEquals(0x1L, f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), db, cs, -1, 0));
        assertEquals(0x2L, f.ok(CSpaceCalls.COPY_CAP_FROM, f.hv.rootCSpaceCap(), db, cs, -1, 0));
    }
}
