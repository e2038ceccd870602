package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import dev.gunyahdt.hypervisor.vic.Vic;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IRQ lending over RPC by hand, as HLOS (the owner of every hwirq, bound 1:1 by map_all_direct) and a secondary
 * (svm1, 0x80): VM_IRQ_LEND / NOTIFY LENT / ACCEPT / NOTIFY ACCEPTED / RELEASE / NOTIFY RELEASED / RECLAIM with the
 * notifications each sends, where the physical SPI is delivered at each step, and every refusal with the real RM's
 * error code ([RM] irq_manager.c).
 */
class IrqLendingTest {
    private static final long SVM1_RAM = 0x8000_0000L;
    private static final long ANY = 0xFFFF_FFFFL;
    private final List<GuestSeat> seats = new ArrayList<>();
    private final Hypervisor hv = new Hypervisor(5);
    private ResourceManager rm;
    private RpcClient hlos;
    private RpcClient svm;
    private final List<RpcMessage> hlosNotes = new ArrayList<>();
    private final List<RpcMessage> svmNotes = new ArrayList<>();

    private RpcMessage call(RpcClient c, MessageId id, byte[] payload) {
        int seq = c.request(id, payload);
        for (int i = 0; i < 50; i++) {
            rm.step();
            RpcMessage reply = null;
            for (RpcClient who : svm == null ? List.of(hlos) : List.of(hlos, svm)) {
                for (RpcClient.Incoming in : who.poll()) {
                    if (in.isReply() && who == c && in.message().sequence() == seq) {
                        reply = in.message();
                    } else if (!in.isReply()) {
                        (who == hlos ? hlosNotes : svmNotes).add(in.message());
                    }
                }
            }
            if (reply != null) {
                return reply;
            }
        }
        throw new AssertionError("no reply to " + id);
    }

    private long ok(RpcClient c, MessageId id, byte[] payload) {
        RpcMessage r = call(c, id, payload);
        assertEquals(0, r.replyErrorCode(), id.toString());
        return r.replyData().length >= 4 ? new Wire.Reader(r.replyData()).u32() : -1;
    }

    private void refused(RmError expected, RpcClient c, MessageId id, byte[] payload) {
        assertEquals(expected.code(), call(c, id, payload).replyErrorCode(), id + " should be " + expected);
    }

    private static byte[] vmid(int vmid) {
        return Wire.writer().u16(vmid).u16(0).build();
    }

    private static byte[] lend(int borrower, long virq, long label) {
        return Wire.writer().u16(borrower).u16(0).u32(virq).u32(label).build();
    }

    private static byte[] handle(long h) {
        return Wire.writer().u32(h).build();
    }

    private static byte[] accept(long h, long virq) {
        return Wire.writer().u32(h).u32(virq).build();
    }

    private static byte[] notify(long h, int flags) {
        return Wire.writer().u32(h).u32(flags).build();
    }

    private static byte[] notifyLent(long h, int... vmids) {
        Wire.Writer w = Wire.writer().u32(h).u32(1).u16(vmids.length).u16(0);
        for (int v : vmids) {
            w.u16(v).u16(0);
        }
        return w.build();
    }

    private Vic vicOf(int seat) {
        return seats.get(seat).vcpu().vic();
    }

    /** hlos owns SPIs 32..34 (its own and svm1's devices, system.dtb hw-spis); svm1 (0x80) is started. */
    @BeforeEach
    void boot() {
        String table =
                "hlos { vm-name = \"hlos\"; vmid = <3>; primary; memory-ranges = <0x0 0x40000000 0x0 0x40000000>;"
                        + " hw-spis = <0>; };\n"
                        + "svm1 { vm-name = \"svm1\"; vmid = <0x80>; owner = \"hlos\"; memory-ranges = <0x0 0x80000000 0x0"
                        + " 0x10000000>; hw-spis = <1 2>; };\n";
        SystemConfig sys =
                SystemConfig.read("system.dtb", DtbReader.read(Configs.compile(Configs.system(table)), "system.dtb"));
        assertEquals(List.of(32, 33, 34), sys.hwIrqs());
        String rpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;";
        byte[] primary = Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rpc, "", ""));
        byte[] svm1 = Configs.compile(Configs.vm("svm1", 0x80000000L, 0x10000000L, rpc, "", ""));
        rm = ResourceManager.boot(hv, sys, Platform.QEMU, primary, RpcSeat.collecting(seats), () -> 0);
        hlos = RpcSeat.client(
                hv, seats.get(0), rm.vm("hlos").orElseThrow().guestDtb().orElseThrow());
        assertEquals(0x80, ok(hlos, MessageId.VM_ALLOCATE, vmid(0)));
        // svm1's memory, its DT inside, lent whole by its owner (accepted as its RAM at VM_START)
        assertTrue(seats.get(0).memory().write(SVM1_RAM + ResourceManager.DT_OFFSET, svm1));
        long parcel = ok(hlos, MessageId.MEM_LEND, RpcSeat.memLend(0x80, SVM1_RAM, 0x10000000L));
        ok(
                hlos,
                MessageId.VM_CONFIG_IMAGE,
                Wire.writer()
                        .u16(0x80)
                        .u16(0)
                        .u32(parcel)
                        .u64(0)
                        .u64(0)
                        .u64(ResourceManager.DT_OFFSET)
                        .u64(svm1.length)
                        .build());
        ok(hlos, MessageId.VM_INIT, vmid(0x80));
        ok(hlos, MessageId.VM_START, vmid(0x80));
        svm = RpcSeat.client(
                hv, seats.get(1), rm.vm(0x80).orElseThrow().guestDtb().orElseThrow());
        hlosNotes.clear();
        svmNotes.clear();
    }

    @Test
    void lendAcceptReleaseReclaimMovesTheSpiAndNotifiesEachSide() {
        // map_all_direct: SPI 33 reaches hlos at VIRQ 33
        assertTrue(hv.spi(33, true));
        assertTrue(vicOf(0).isPending(33));
        hv.spi(33, false);
        vicOf(0).clearVirq(33);

        long h = ok(hlos, MessageId.VM_IRQ_LEND, lend(0x80, 33, 7));
        assertFalse(hv.spi(33, true), "lent and not yet accepted: the hwirq is unbound, nobody gets it");
        ok(hlos, MessageId.VM_IRQ_NOTIFY, notifyLent(h, 0x80));
        RpcMessage lent = svmNotes.stream()
                .filter(m -> m.messageId() == MessageId.NOTIFY_VM_IRQ_LENT.id())
                .findFirst()
                .orElseThrow();
        assertEquals(
                List.of(3L, h, 7L),
                List.of((long) new Wire.Reader(lent.payload()).u16(), readU32(lent, 4), readU32(lent, 8)));

        assertEquals(33, ok(svm, MessageId.VM_IRQ_ACCEPT, accept(h, ANY)), "VIRQ_NUM_INVALID: 1:1");
        assertTrue(vicOf(1).isPending(33), "the line was high: bound to svm1's VIC, it is pending there at once");
        assertFalse(vicOf(0).isPending(33));
        ok(svm, MessageId.VM_IRQ_NOTIFY, notify(h, IrqManager.NOTIFY_ACCEPTED));
        assertEquals(h, readU32(only(hlosNotes, MessageId.NOTIFY_VM_IRQ_ACCEPTED), 0));

        refused(RmError.IN_USE, hlos, MessageId.VM_IRQ_RECLAIM, handle(h)); // still accepted
        ok(svm, MessageId.VM_IRQ_RELEASE, handle(h));
        ok(svm, MessageId.VM_IRQ_NOTIFY, notify(h, IrqManager.NOTIFY_RELEASED));
        assertEquals(h, readU32(only(hlosNotes, MessageId.NOTIFY_VM_IRQ_RELEASED), 0));
        vicOf(1).clearVirq(33);
        hv.spi(33, false);
        assertFalse(hv.spi(33, true), "released: unbound again");
        ok(hlos, MessageId.VM_IRQ_RECLAIM, handle(h));
        assertTrue(vicOf(0).isPending(33), "reclaimed: hlos's VIRQ 33 again");
        assertFalse(vicOf(1).isPending(33));
        refused(RmError.HANDLE_INVALID, hlos, MessageId.VM_IRQ_RECLAIM, handle(h)); // the lending is over
        assertEquals(0, rm.internalFaults());
    }

    private static long readU32(RpcMessage m, int at) {
        Wire.Reader r = new Wire.Reader(m.payload());
        r.bytes(at);
        return r.u32();
    }

    private static RpcMessage only(List<RpcMessage> notes, MessageId id) {
        List<RpcMessage> of =
                notes.stream().filter(m -> m.messageId() == id.id()).toList();
        assertEquals(1, of.size(), id + " sent once");
        return of.get(0);
    }

    @Test
    void lendRefusals() {
        refused(
                RmError.MSG_INVALID,
                hlos,
                MessageId.VM_IRQ_LEND,
                Wire.writer().u32(0x80).u32(33).build());
        refused(RmError.IRQ_INVALID, hlos, MessageId.VM_IRQ_LEND, lend(0x80, 500, 0)); // not mapped in hlos
        refused(RmError.IRQ_INVALID, svm, MessageId.VM_IRQ_LEND, lend(3, 33, 0)); // svm1 has no such hw IRQ
        long h = ok(hlos, MessageId.VM_IRQ_LEND, lend(0x80, 33, 0));
        refused(RmError.IRQ_INUSE, hlos, MessageId.VM_IRQ_LEND, lend(0x80, 33, 0)); // already lent
        ok(svm, MessageId.VM_IRQ_ACCEPT, accept(h, ANY));
        refused(RmError.IRQ_INVALID, svm, MessageId.VM_IRQ_LEND, lend(3, 33, 0)); // a borrower does not own it
        refused(RmError.UNIMPLEMENTED, hlos, MessageId.VM_IRQ_UNMAP, handle(33)); // upstream: not handled
    }

    @Test
    void acceptRefusals() {
        long h = ok(hlos, MessageId.VM_IRQ_LEND, lend(0x80, 33, 0));
        long h34 = ok(hlos, MessageId.VM_IRQ_LEND, lend(0x80, 34, 0));
        refused(RmError.MSG_INVALID, svm, MessageId.VM_IRQ_ACCEPT, handle(h));
        refused(RmError.HANDLE_INVALID, svm, MessageId.VM_IRQ_ACCEPT, accept(h + 5000, ANY)); // no such handle
        refused(RmError.HANDLE_INVALID, hlos, MessageId.VM_IRQ_ACCEPT, accept(h, ANY)); // not the borrower
        refused(RmError.ARGUMENT_INVALID, svm, MessageId.VM_IRQ_ACCEPT, accept(h, 5)); // an SGI is no hwirq
        refused(RmError.ARGUMENT_INVALID, svm, MessageId.VM_IRQ_ACCEPT, accept(h, 2000)); // beyond the SPIs
        refused(RmError.ARGUMENT_INVALID, svm, MessageId.VM_IRQ_ACCEPT, accept(h, 27)); // the platform has no PPI hwirq
        // the code binds hwirq = the asked VIRQ: hwirq 32 is bound to hlos, so hwirq_bind_virq fails
        refused(RmError.ARGUMENT_INVALID, svm, MessageId.VM_IRQ_ACCEPT, accept(h, 32));
        assertEquals(33, ok(svm, MessageId.VM_IRQ_ACCEPT, accept(h, 33)));
        refused(RmError.IN_USE, svm, MessageId.VM_IRQ_ACCEPT, accept(h, ANY)); // accepted already
        refused(RmError.DENIED, svm, MessageId.VM_IRQ_ACCEPT, accept(h34, 33)); // VIRQ 33 is taken in svm1
        assertEquals(34, ok(svm, MessageId.VM_IRQ_ACCEPT, accept(h34, ANY)));
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void releaseReclaimAndNotifyRefusals() {
        long h = ok(hlos, MessageId.VM_IRQ_LEND, lend(0x80, 33, 9));
        refused(RmError.MSG_INVALID, svm, MessageId.VM_IRQ_RELEASE, accept(h, 0));
        refused(RmError.HANDLE_INVALID, hlos, MessageId.VM_IRQ_RELEASE, handle(h)); // not the borrower
        refused(RmError.IN_USE, svm, MessageId.VM_IRQ_RELEASE, handle(h)); // not accepted
        refused(RmError.HANDLE_INVALID, svm, MessageId.VM_IRQ_RECLAIM, handle(h)); // the borrower cannot reclaim
        // NOTIFY
        refused(RmError.MSG_INVALID, hlos, MessageId.VM_IRQ_NOTIFY, handle(h));
        refused( // extra bytes are for LENT only
                RmError.MSG_INVALID,
                svm,
                MessageId.VM_IRQ_NOTIFY,
                Wire.writer().u32(h).u32(4).u32(0).build());
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.VM_IRQ_NOTIFY, notify(h, 8));
        refused(RmError.HANDLE_INVALID, hlos, MessageId.VM_IRQ_NOTIFY, notify(h + 7000, 1));
        refused(RmError.HANDLE_INVALID, svm, MessageId.VM_IRQ_NOTIFY, notify(h, 1)); // LENT from the borrower
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.VM_IRQ_NOTIFY, notifyLent(h, 0x81)); // not the borrower
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.VM_IRQ_NOTIFY, notifyLent(h, 0x80, 0x80)); // two VMIDs
        refused(
                RmError.MSG_INVALID,
                hlos,
                MessageId.VM_IRQ_NOTIFY,
                Wire.writer().u32(h).u32(1).u16(2).u16(0).u16(0x80).u16(0).build()); // 2 entries, 1 given
        refused(RmError.HANDLE_INVALID, hlos, MessageId.VM_IRQ_NOTIFY, notify(h, 4)); // ACCEPTED from the owner
        refused(RmError.IRQ_RELEASED, svm, MessageId.VM_IRQ_NOTIFY, notify(h, 4)); // not accepted yet
        ok(svm, MessageId.VM_IRQ_ACCEPT, accept(h, ANY));
        refused(RmError.IRQ_INUSE, svm, MessageId.VM_IRQ_NOTIFY, notify(h, 2)); // RELEASED while accepted
        refused(RmError.IRQ_INUSE, hlos, MessageId.VM_IRQ_NOTIFY, notify(h, 1)); // LENT once accepted
        assertTrue(hlosNotes.isEmpty() && svmNotes.isEmpty(), "no refusal notifies anyone");
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void aResetBorrowerGivesTheIrqBackForReclaim() {
        long h = ok(hlos, MessageId.VM_IRQ_LEND, lend(0x80, 33, 0));
        ok(svm, MessageId.VM_IRQ_ACCEPT, accept(h, ANY));
        ok(hlos, MessageId.VM_STOP, Wire.writer().u16(0x80).u8(1).u8(0).u32(0).build());
        ok(hlos, MessageId.VM_RESET, vmid(0x80));
        assertFalse(hv.spi(33, true), "vm_reset_handle_release_irqs: unbound from the reset VM");
        ok(hlos, MessageId.VM_IRQ_RECLAIM, handle(h));
        assertTrue(vicOf(0).isPending(33));
        assertEquals(0, rm.internalFaults());
    }
}
