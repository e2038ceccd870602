package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The memparcel RPC calls as the real RM's {@code memparcel.c} answers them, driven by hand: hlos (the owner) and a
 * running svm1 (the borrower), each with its own RM-RPC link. Every refusal carries the real error code.
 */
class MemparcelRpcTest {
    private static final long SVM1_RAM = 0x8000_0000L;
    private static final long SHM = 0xA000_0000L;
    private static final long DEVICE = 0x0900_0000L;
    private static final int HLOS = 3;
    private static final int SVM1 = 0x80;
    private static final int SVM2 = 0x81;
    private static final long SVM2_RAM = 0x9000_0000L;
    private static final int R = 4;
    private static final int RW = 6;
    private static final int RWX = 7;

    private final List<GuestSeat> seats = new ArrayList<>();
    private final Hypervisor hv = new Hypervisor(11);
    private ResourceManager rm;
    private RpcClient hlos;
    private RpcClient svm1;
    private final List<RpcMessage> hlosNotes = new ArrayList<>();
    private final List<RpcMessage> svm1Notes = new ArrayList<>();

    @BeforeEach
    void bootHlosAndSvm1() {
        hv.addDeviceMemory(DEVICE, 0x1000);
        SystemConfig sys = SystemConfig.read(
                "system.dtb",
                DtbReader.read(
                        Configs.compile(Configs.system(
                                Configs.tableEntry("hlos", HLOS, true, 0x40000000L, 0x40000000L),
                                Configs.tableEntry("svm1", SVM1, false, SVM1_RAM, 0x10000000L)
                                        .replace("};", "passthrough-mmio = <0x0 0x9000000 0x0 0x1000>; };"),
                                Configs.tableEntry("svm2", SVM2, false, SVM2_RAM, 0x10000000L),
                                Configs.SHM_REGION)),
                        "system.dtb"));
        String rpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;";
        byte[] primary = Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rpc, "", ""));
        rm = ResourceManager.boot(
                hv,
                sys,
                Platform.QEMU,
                primary,
                new VcpuHost() {
                    @Override
                    public void powerOn(GuestSeat seat) {
                        seats.add(seat);
                    }

                    @Override
                    public void powerOff(int vmid) {}
                },
                () -> 0);
        hlos = client(seats.get(0), "hlos", "qcom,resource-manager-rpc@");
        // svm1 by hand, as crosvm launches it: its memory lent (the DT inside), configured, initialised, started
        byte[] dt = Configs.compile(Configs.vm("svm1", SVM1_RAM, 0x10000000L, rpc, "", ""));
        assertEquals(
                SVM1,
                u32(ok(hlos, MessageId.VM_ALLOCATE, Wire.writer().u16(0).u16(0).build())));
        assertTrue(seats.get(0).memory().write(SVM1_RAM + ResourceManager.DT_OFFSET, dt));
        int ram = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, RWX), sgl(SVM1_RAM, 0x10000000L))));
        ok(
                hlos,
                MessageId.VM_CONFIG_IMAGE,
                Wire.writer()
                        .u16(SVM1)
                        .u16(0)
                        .u32(ram)
                        .u64(0)
                        .u64(0)
                        .u64(ResourceManager.DT_OFFSET)
                        .u64(dt.length)
                        .build());
        ok(hlos, MessageId.VM_INIT, Wire.writer().u16(SVM1).u16(0).build());
        ok(hlos, MessageId.VM_START, Wire.writer().u16(SVM1).u16(0).build());
        svm1 = client(seats.get(1), "svm1", "qcom,resource-mgr@");
        hlosNotes.clear();
    }

    private RpcClient client(GuestSeat seat, String vm, String node) {
        NodeCursor rpc = DtbReader.read(rm.vm(vm).orElseThrow().guestDtb().orElseThrow(), vm)
                .find("/hypervisor")
                .orElseThrow()
                .children()
                .stream()
                .filter(c -> c.node().name().startsWith(node))
                .findFirst()
                .orElseThrow();
        long[] reg = rpc.node().property("reg").orElseThrow().value().cells();
        return new RpcClient(new RpcEndpoint(
                hv, seat.caller(), reg[0] << 32 | reg[1], reg[2] << 32 | reg[3], seat.ramBase() + 0x2000));
    }

    private RpcMessage call(RpcClient c, MessageId id, byte[] payload) {
        int seq = c.request(id, payload);
        RpcMessage reply = null;
        for (int i = 0; i < 50; i++) {
            rm.step();
            for (RpcClient who : List.of(hlos, svm1 == null ? hlos : svm1)) {
                List<RpcMessage> notes = who == hlos ? hlosNotes : svm1Notes;
                for (RpcClient.Incoming in : who.poll()) {
                    if (in.isReply() && who == c && in.message().sequence() == seq) {
                        reply = in.message();
                    } else if (!in.isReply()) {
                        notes.add(in.message());
                    }
                }
            }
            if (reply != null) {
                return reply;
            }
        }
        throw new AssertionError("no reply to " + id);
    }

    private byte[] ok(RpcClient c, MessageId id, byte[] payload) {
        RpcMessage r = call(c, id, payload);
        assertEquals(0, r.replyErrorCode(), id + " -> " + RmError.of(r.replyErrorCode()));
        return r.replyData();
    }

    private void refused(RmError expected, RpcClient c, MessageId id, byte[] payload) {
        assertEquals(expected, RmError.of(call(c, id, payload).replyErrorCode()), id.toString());
    }

    private static long u32(byte[] b) {
        return new Wire.Reader(b).u32();
    }

    // ---- payloads, as memparcel_msg.h lays them out ----------------------------------------------------------

    private static Consumer<Wire.Writer> acl(int... vmidRights) {
        return w -> {
            w.u16(vmidRights.length / 2).u16(0);
            for (int i = 0; i < vmidRights.length; i += 2) {
                w.u16(vmidRights[i]).u8(vmidRights[i + 1]).u8(0);
            }
        };
    }

    private static Consumer<Wire.Writer> sgl(long... ipaSize) {
        return w -> {
            w.u16(ipaSize.length / 2).u16(0);
            for (int i = 0; i < ipaSize.length; i += 2) {
                w.u64(ipaSize[i]).u64(ipaSize[i + 1]);
            }
        };
    }

    private static Consumer<Wire.Writer> attrs(int... attrVmid) {
        return w -> {
            w.u16(attrVmid.length / 2).u16(0);
            for (int i = 0; i < attrVmid.length; i += 2) {
                w.u16(attrVmid[i]).u16(attrVmid[i + 1]);
            }
        };
    }

    /** memparcel_create_req_t with an empty attribute list. */
    private static byte[] create(
            int memType, int flags, long label, Consumer<Wire.Writer> acl, Consumer<Wire.Writer> sgl) {
        return create(memType, flags, label, acl, sgl, attrs());
    }

    private static byte[] create(
            int memType,
            int flags,
            long label,
            Consumer<Wire.Writer> acl,
            Consumer<Wire.Writer> sgl,
            Consumer<Wire.Writer> attrs) {
        Wire.Writer w = Wire.writer().u8(memType).u8(0).u8(flags).u8(0).u32(label);
        acl.accept(w);
        sgl.accept(w);
        attrs.accept(w);
        return w.build();
    }

    /** memparcel_accept_req_t: ACL, then SGL (its count's second half is map_vmid), then attributes. */
    private static byte[] accept(
            int handle,
            int memType,
            int trans,
            int flags,
            long label,
            Consumer<Wire.Writer> acl,
            int mapVmid,
            long... sgl) {
        Wire.Writer w =
                Wire.writer().u32(handle).u8(memType).u8(trans).u8(flags).u8(0).u32(label);
        acl.accept(w);
        w.u16(sgl.length / 2).u16(mapVmid);
        for (long v : sgl) {
            w.u64(v);
        }
        return w.u16(0).u16(0).build();
    }

    /** memparcel_append_req_t with MEM_APPEND_FLAG_DONE and one page-sized SGL entry. */
    private static byte[] appendDone(int handle, long ipa) {
        return Wire.writer()
                .u32(handle)
                .u8(1)
                .u8(0)
                .u16(0)
                .u16(1)
                .u16(0)
                .u64(ipa)
                .u64(0x1000)
                .build();
    }

    private static byte[] handleFlags(int handle, int flags) {
        return Wire.writer().u32(handle).u8(flags).u8(0).u16(0).build();
    }

    private static byte[] notify(int handle, int flags, int... vmids) {
        Wire.Writer w = Wire.writer().u32(handle).u8(flags).u8(0).u16(0).u32(0);
        if (vmids.length > 0) {
            w.u16(vmids.length).u16(0);
            for (int v : vmids) {
                w.u16(v).u16(0);
            }
        }
        return w.build();
    }

    // ---- the tests ---------------------------------------------------------------------------------------

    @Test
    void createIsRefusedAsMemparcelConstructRefusesIt() {
        long page = 0x4000_0000L + 0x2000_0000L; // a page of hlos's own RAM
        refused(RmError.MSG_INVALID, hlos, MessageId.MEM_LEND, new byte[19]);
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(), sgl(page, 0x1000)));
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, RW), sgl()));
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(0, 0, 0, acl(SVM1, RW, SVM1, R), sgl(page, 0x1000))); // duplicate VMID
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, 3), sgl(page, 0x1000)));
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(0x40, RW), sgl(page, 0x1000)));
        refused(RmError.DENIED, hlos, MessageId.MEM_DONATE, create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x1000)));
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_DONATE,
                create(0, 0, 0, acl(SVM1, RWX, 4, RWX), sgl(page, 0x1000))); // one VM only
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(0, 0, 0, acl(HLOS, RW, SVM1, RW), sgl(page, 0x1000))); // the owner only in a SHARE
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_SHARE,
                create(0, 0, 0, acl(SVM1, RW), sgl(SHM, 0x200000)));
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(1, 0, 0, acl(SVM1, RWX), sgl(DEVICE, 0x1000)));
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(1, 1, 0, acl(SVM1, RW), sgl(DEVICE, 0x1000)));
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x1000), attrs(1, SVM1))); // device attrs on RAM
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x1000), attrs(7, SVM1))); // no such attribute
        refused(
                RmError.VMID_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x1000), attrs(2, 4))); // VMID not in the ACL
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(0, 0, 0, acl(SVM1, RW), sgl(page + 8, 0x1000)));
        refused(
                RmError.MEM_INVALID,
                hlos,
                MessageId.MEM_LEND,
                create(0, 0, 0, acl(SVM1, RW), sgl(0x3000_0000L, 0x1000)));
        byte[] trailing = create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x1000));
        byte[] longer = java.util.Arrays.copyOf(trailing, trailing.length + 4);
        refused(RmError.MSG_INVALID, hlos, MessageId.MEM_LEND, longer);
        refused(
                RmError.NORESOURCE,
                hlos,
                MessageId.MEM_LEND,
                Wire.writer()
                        .u8(0)
                        .u8(0)
                        .u8(0)
                        .u8(0)
                        .u32(0)
                        .u16(513)
                        .u16(0)
                        .u64(0)
                        .build()); // > 512 entries
        assertEquals(1, rm.memparcels().size(), "only svm1's RAM: nothing was made by a refusal");
        assertNotNull(seats.get(0).memory().read(page, 4), "and nothing left hlos");
        for (int i = 1; i < 64; i++) {
            ok(hlos, MessageId.MEM_LEND, create(0, 0, i, acl(SVM1, RW), sgl(page + 0x1000L * i, 0x1000)));
        }
        refused(RmError.DENIED, hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x1000)));
    }

    @Test
    void aLentParcelIsAcceptedByLabelReleasedAndReclaimed() {
        long page = 0x6000_0000L;
        assertTrue(seats.get(0).memory().write(page, new byte[] {7, 8, 9}));
        int h = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 0, 0x51, acl(SVM1, RW), sgl(page, 0x2000))));
        assertNull(seats.get(0).memory().read(page, 1), "lent: gone from the owner");
        GuestMemory mine = seats.get(1).memory();
        refused(RmError.HANDLE_INVALID, svm1, MessageId.MEM_ACCEPT, accept(999, 0, 1, 0x80, 0, acl(), 0));
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.MEM_ACCEPT, accept(h, 1, 1, 0x80, 0, acl(), 0));
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.MEM_ACCEPT, accept(h, 0, 2, 0x80, 0, acl(), 0));
        refused(RmError.VALIDATE_FAILED, svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x84, 0x52, acl(), 0));
        refused(RmError.VALIDATE_FAILED, svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x81, 0, acl(), 0)); // sanitized?
        refused(RmError.VALIDATE_FAILED, svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x82, 0, acl(SVM1, R), 0));
        refused(RmError.DENIED, svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x88, 0, acl(), 0)); // MAP_OTHER
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x80, 0, acl(), 4)); // map_vmid
        refused(RmError.VMID_INVALID, hlos, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x80, 0, acl(), 0)); // not in ACL
        refused(RmError.MEM_RELEASED, svm1, MessageId.MEM_RELEASE, handleFlags(h, 0));

        // by label, validating the ACL: where the RM put it comes back (no SGL given)
        byte[] got = ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x86, 0x51, acl(SVM1, RW), 0));
        Wire.Reader r = new Wire.Reader(got);
        assertEquals(1, r.u16());
        assertEquals(0, r.u8());
        r.u8();
        long ipa = r.u64();
        assertEquals(0x2000, r.u64());
        assertArrayEquals(new byte[] {7, 8, 9}, mine.read(ipa, 3), "the borrower sees the owner's bytes");
        assertTrue(mine.write(ipa, new byte[] {1}), "RW");
        refused(RmError.DENIED, svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x80, 0, acl(), 0)); // mapped already
        refused(RmError.MEM_INUSE, hlos, MessageId.MEM_RECLAIM, handleFlags(h, 0));
        refused(RmError.DENIED, svm1, MessageId.MEM_RECLAIM, handleFlags(h, 0)); // not the owner

        // the borrower tells the owner: MEM_ACCEPTED {handle, vmid, mem_info_tag}
        refused(RmError.MEM_INUSE, svm1, MessageId.MEM_NOTIFY, notify(h, 2)); // "released" while it is accepted
        ok(svm1, MessageId.MEM_NOTIFY, notify(h, 4));
        ok(hlos, MessageId.VM_GET_VMID, new byte[0]); // lets hlos read what came
        RpcMessage n = hlosNotes.get(hlosNotes.size() - 1);
        assertEquals(MessageId.NOTIFY_MEM_ACCEPTED.id(), n.messageId());
        Wire.Reader nr = new Wire.Reader(n.payload());
        assertEquals(h, nr.u32());
        assertEquals(SVM1, nr.u16());

        ok(svm1, MessageId.MEM_RELEASE, handleFlags(h, 0));
        assertNull(mine.read(ipa, 1), "released: unmapped");
        refused(RmError.MEM_RELEASED, svm1, MessageId.MEM_RELEASE, handleFlags(h, 0));
        ok(svm1, MessageId.MEM_NOTIFY, notify(h, 2));
        ok(hlos, MessageId.VM_GET_VMID, new byte[0]);
        assertEquals(
                MessageId.NOTIFY_MEM_RELEASED.id(),
                hlosNotes.get(hlosNotes.size() - 1).messageId());
        ok(hlos, MessageId.MEM_RECLAIM, handleFlags(h, 0));
        assertArrayEquals(new byte[] {1, 8, 9}, seats.get(0).memory().read(page, 3), "reclaimed, with the write");
        refused(RmError.HANDLE_INVALID, hlos, MessageId.MEM_RECLAIM, handleFlags(h, 0));

        // device memory: lent as IO, never sanitized, mapped where the device is
        int io = (int) u32(ok(hlos, MessageId.MEM_LEND, create(1, 0, 0x1000, acl(SVM1, RW), sgl(DEVICE, 0x1000))));
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.MEM_ACCEPT, accept(io, 1, 1, 0x90, 0, acl(), 0)); // contig
        refused(RmError.NORESOURCE, svm1, MessageId.MEM_ACCEPT, accept(io, 1, 1, 0x80, 0, acl(), 0, 0x5000, 0x1000));
        ok(svm1, MessageId.MEM_ACCEPT, accept(io, 1, 1, 0x84, 0x1000, acl(), 0));
        assertNotNull(mine.read(DEVICE, 4), "the device's page is svm1's now");
        ok(svm1, MessageId.MEM_RELEASE, handleFlags(io, 0));
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.MEM_RECLAIM, handleFlags(io, 1)); // sanitize IO
        ok(hlos, MessageId.MEM_RECLAIM, handleFlags(io, 0));
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void aSharedBufferIsNotifiedAndKeptByBoth() {
        int h = (int) u32(ok(hlos, MessageId.MEM_SHARE, create(0, 0, 2, acl(HLOS, RW, SVM1, R), sgl(SHM, 0x200000))));
        refused(RmError.DENIED, svm1, MessageId.MEM_NOTIFY, notify(h, 1, SVM1)); // only the owner shares
        refused(RmError.VMID_INVALID, hlos, MessageId.MEM_NOTIFY, notify(h, 1, 0x81)); // no such VM
        refused(RmError.MSG_INVALID, hlos, MessageId.MEM_NOTIFY, notify(h, 1));
        refused(RmError.ARGUMENT_INVALID, hlos, MessageId.MEM_NOTIFY, notify(h, 3, SVM1));
        ok(hlos, MessageId.MEM_NOTIFY, notify(h, 1, SVM1)); // svm1 is RUNNING: it gets MEM_SHARED
        ok(svm1, MessageId.VM_GET_VMID, new byte[0]);
        RpcMessage shared = svm1Notes.get(svm1Notes.size() - 1);
        assertEquals(MessageId.NOTIFY_MEM_SHARED.id(), shared.messageId());
        Wire.Reader r = new Wire.Reader(shared.payload());
        assertEquals(h, r.u32());
        assertEquals(0, r.u8()); // normal memory
        assertEquals(2, r.u8()); // SHARE
        r.u8();
        r.u8();
        assertEquals(HLOS, r.u16());
        r.u16();
        assertEquals(2, r.u32()); // label
        r.u32(); // mem_info_tag
        assertEquals(2, r.u16());
        r.u16();
        assertEquals(HLOS, r.u16());
        assertEquals(RW, r.u8());
        r.u8();
        assertEquals(SVM1, r.u16());
        assertEquals(R, r.u8());
        r.u8();
        assertEquals(1, r.u16());
        r.u16();
        assertEquals(0x200000, r.u64(), "each region's size");
        assertEquals(0, r.u16());
        r.u16();
        assertEquals(0, r.remaining());

        ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 2, 0x94, 2, acl(), 0, SHM, 0x200000)); // fixed, by label
        assertTrue(seats.get(0).memory().write(SHM, new byte[] {42}), "the owner keeps its access");
        assertArrayEquals(new byte[] {42}, seats.get(1).memory().read(SHM, 1));
        assertTrue(!seats.get(1).memory().write(SHM, new byte[] {1}), "read-only for svm1");
        assertEquals(
                List.of(SVM1),
                rm.memparcels().stream()
                        .filter(p -> p.handle() == h)
                        .findFirst()
                        .orElseThrow()
                        .accepted());
    }

    @Test
    void sharingWithAReadyVmAcceptsByLabelAndTellsTheOwner() {
        // svm2 up to READY, with an shm vdevice of label 2 at the shared region's base
        String shm = "shm { vdevice-type = \"shm\"; generate = \"/hypervisor/shm\"; peer-default; qcom,label = <2>;"
                + " memory { qcom,label = <2>; base = <0x0 0xa0000000>; }; };";
        byte[] dt = Configs.compile(
                Configs.vm("svm2", SVM2_RAM, 0x10000000L, "generate = \"/hypervisor/qcom,resource-mgr\";", shm, ""));
        assertEquals(
                SVM2,
                u32(ok(hlos, MessageId.VM_ALLOCATE, Wire.writer().u16(0).u16(0).build())));
        assertTrue(seats.get(0).memory().write(SVM2_RAM + ResourceManager.DT_OFFSET, dt));
        int ram = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM2, RWX), sgl(SVM2_RAM, 0x10000000L))));
        Wire.Writer image = Wire.writer().u16(SVM2).u16(0).u32(ram).u64(0).u64(0);
        ok(
                hlos,
                MessageId.VM_CONFIG_IMAGE,
                image.u64(ResourceManager.DT_OFFSET).u64(dt.length).build());
        ok(hlos, MessageId.VM_INIT, Wire.writer().u16(SVM2).u16(0).build());
        assertEquals(VmState.READY, rm.vm(SVM2).orElseThrow().state());

        int h = (int) u32(ok(hlos, MessageId.MEM_SHARE, create(0, 0, 2, acl(HLOS, RW, SVM2, RW), sgl(SHM, 0x200000))));
        hlosNotes.clear();
        ok(hlos, MessageId.MEM_NOTIFY, notify(h, 1, SVM2)); // READY: the RM accepts it by label for svm2
        ok(hlos, MessageId.VM_GET_VMID, new byte[0]);
        RpcMessage n = hlosNotes.get(hlosNotes.size() - 1);
        assertEquals(MessageId.NOTIFY_MEM_ACCEPTED.id(), n.messageId());
        Wire.Reader nr = new Wire.Reader(n.payload());
        assertEquals(h, nr.u32());
        assertEquals(SVM2, nr.u16());
        assertEquals(
                List.of(SVM2),
                rm.memparcels().stream()
                        .filter(p -> p.handle() == h)
                        .findFirst()
                        .orElseThrow()
                        .accepted());
        // a parcel whose label no vdevice of svm2 has: nothing accepted, and the owner is told MEM_RELEASED
        int io = (int) u32(ok(hlos, MessageId.MEM_LEND, create(1, 0, 9, acl(SVM2, RW), sgl(DEVICE, 0x1000))));
        refused(RmError.MEM_RELEASED, hlos, MessageId.MEM_NOTIFY, notify(io, 1, SVM2));
        // VM_START maps its RAM and finds the shm accepted: the overlay's buffer is the parcel's
        ok(hlos, MessageId.VM_START, Wire.writer().u16(SVM2).u16(0).build());
        assertEquals(VmState.RUNNING, rm.vm(SVM2).orElseThrow().state());
        assertNotNull(seats.get(2).memory().read(SHM, 1));
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void appendThenLookupAndDonate() {
        long page = 0x6100_0000L;
        int h = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 2, 9, acl(SVM1, RW), sgl(page, 0x1000))));
        Consumer<Wire.Writer> twoPages = sgl(page, 0x1000, page + 0x1000, 0x1000);
        byte[] lookup = create(0, 0, 9, acl(SVM1, RW), twoPages);
        refused(RmError.LOOKUP_FAILED, hlos, MessageId.MEM_QCOM_LOOKUP_SGL, lookup); // still being built
        refused(RmError.DENIED, svm1, MessageId.MEM_APPEND, appendDone(h, page + 0x1000));
        refused(
                RmError.ARGUMENT_INVALID,
                hlos,
                MessageId.MEM_APPEND,
                Wire.writer().u32(h).u8(1).u8(0).u16(0).u16(0).u16(0).build());
        ok(hlos, MessageId.MEM_APPEND, appendDone(h, page + 0x1000));
        assertEquals(h, u32(ok(hlos, MessageId.MEM_QCOM_LOOKUP_SGL, lookup)));
        refused(RmError.DENIED, hlos, MessageId.MEM_APPEND, appendDone(h, page + 0x2000)); // done already

        long gift = 0x6200_0000L;
        int d = (int) u32(ok(hlos, MessageId.MEM_DONATE, create(0, 0, 0, acl(SVM1, RWX), sgl(gift, 0x1000))));
        ok(svm1, MessageId.MEM_ACCEPT, accept(d, 0, 0, 0x80, 0, acl(), 0, gift, 0x1000));
        assertTrue(rm.memparcels().stream().noneMatch(p -> p.handle() == d), "a donation ends its parcel");
        assertNotNull(seats.get(1).memory().read(gift, 1));
        assertNull(seats.get(0).memory().read(gift, 1));
        refused(RmError.HANDLE_INVALID, hlos, MessageId.MEM_RECLAIM, handleFlags(d, 0));
    }

    // ---- the secondary's IPA allocator, partial accepts, sanitize ------------------------------------------------

    /** MEM_ACCEPT's reply: {entries, flags} then the {ipa, size} of each range placed by this call. */
    private static long[] placed(byte[] reply, int flags) {
        Wire.Reader r = new Wire.Reader(reply);
        int n = r.u16();
        assertEquals(flags, r.u8(), "MEM_ACCEPT_RESP_FLAG_INCOMPLETE");
        r.u8();
        long[] out = new long[2 * n];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.u64();
        }
        assertEquals(0, r.remaining());
        return out;
    }

    @Test
    void aSecondaryAcceptWithoutSglIsPlacedByItsAllocator() {
        long page = 0x6300_0000L;
        int small = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x2000))));
        int big = (int) u32(
                ok(hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, RW), sgl(page + 0x40_0000L, 0x40_0000L))));
        // the first free range above the 1 GiB device range (svm1's RAM is at 0x80000000), not the physical address
        assertArrayEquals(
                new long[] {0x4000_0000L, 0x2000},
                placed(ok(svm1, MessageId.MEM_ACCEPT, accept(small, 0, 1, 0x80, 0, acl(), 0)), 0));
        // 2 MiB or more: a 2 MiB aligned base (alloc_as_range)
        assertArrayEquals(
                new long[] {0x4020_0000L, 0x40_0000L},
                placed(ok(svm1, MessageId.MEM_ACCEPT, accept(big, 0, 1, 0x80, 0, acl(), 0)), 0));
        assertNotNull(seats.get(1).memory().read(0x4020_0000L, 4));
        ok(svm1, MessageId.MEM_RELEASE, handleFlags(small, 0));
        // a fixed base on its RAM, in the device range, or on a range in use: NORESOURCE, nothing left placed
        refused(
                RmError.NORESOURCE,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(small, 0, 1, 0x80, 0, acl(), 0, SVM1_RAM, 0x2000));
        refused(
                RmError.NORESOURCE,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(small, 0, 1, 0x80, 0, acl(), 0, 0x100_0000L, 0x2000));
        refused(
                RmError.NORESOURCE,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(small, 0, 1, 0x80, 0, acl(), 0, 0x4020_0000L, 0x2000));
        // released, its range is free again
        assertArrayEquals(
                new long[] {0x4000_0000L, 0x2000},
                placed(ok(svm1, MessageId.MEM_ACCEPT, accept(small, 0, 1, 0x80, 0, acl(), 0)), 0));
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void partialAcceptsPlaceTheIpasThenMapOnDone() {
        long page = 0x6400_0000L;
        // two regions (the SGL's two ranges are not adjacent)
        int h = (int) u32(ok(
                hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, RW), sgl(page, 0x1000, page + 0x10_000L, 0x1000))));
        GuestMemory mine = seats.get(1).memory();
        refused(
                RmError.ARGUMENT_INVALID,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(h, 0, 1, 0x80, 0, acl(), 0, 0x5000_0000L, 0x1000)); // DONE with one of two placed
        refused(
                RmError.ARGUMENT_INVALID,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(h, 0, 1, 0x00, 0, acl(), 0, 0x5000_0000L, 0x1000, 0x5001_0000L, 0x1000, 0x5002_0000L, 0x1000));
        // the first region placed, not DONE: nothing mapped, but the parcel counts as accepted by svm1
        assertEquals(
                0, ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x00, 0, acl(), 0, 0x5000_0000L, 0x1000)).length);
        assertNull(mine.read(0x5000_0000L, 1), "not mapped before DONE");
        assertEquals(List.of(SVM1), parcel(h).accepted());
        refused(RmError.MEM_INUSE, hlos, MessageId.MEM_RECLAIM, handleFlags(h, 0));
        refused(
                RmError.ARGUMENT_INVALID,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(h, 0, 1, 0x90, 0, acl(), 0)); // contiguous after a non-contiguous start
        refused(
                RmError.ARGUMENT_INVALID,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(h, 0, 1, 0x80, 0, acl(), 0, 0x5003_0000L, 0x1000, 0x5004_0000L, 0x1000)); // one IPA left
        // the rest, DONE: both regions mapped where they were placed
        assertEquals(
                0, ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x80, 0, acl(), 0, 0x5001_0000L, 0x1000)).length);
        assertNotNull(mine.read(0x5000_0000L, 1));
        assertNotNull(mine.read(0x5001_0000L, 1));
        ok(svm1, MessageId.MEM_RELEASE, handleFlags(h, 0));
        assertNull(mine.read(0x5000_0000L, 1));
        // released after a partial accept: its IPAs go back too
        assertEquals(
                0, ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x00, 0, acl(), 0, 0x5000_0000L, 0x1000)).length);
        ok(svm1, MessageId.MEM_RELEASE, handleFlags(h, 0));
        ok(hlos, MessageId.MEM_RECLAIM, handleFlags(h, 0));
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void moreThan512RegionsAreAcceptedInTwoCallsWithIncomplete() {
        long base = 0x6800_0000L;
        Wire.Writer w = Wire.writer().u8(0).u8(0).u8(2).u8(0).u32(0); // not done: the 513th region comes by APPEND
        acl(SVM1, RW).accept(w);
        w.u16(512).u16(0);
        for (int i = 0; i < 512; i++) {
            w.u64(base + 0x2000L * i).u64(0x1000);
        }
        attrs().accept(w);
        int h = (int) u32(ok(hlos, MessageId.MEM_LEND, w.build()));
        ok(hlos, MessageId.MEM_APPEND, appendDone(h, base + 0x2000L * 512));
        long[] first = placed(ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x00, 0, acl(), 0)), 1);
        assertEquals(1024, first.length, "512 ranges placed, more to come");
        assertEquals(0x4000_0000L, first[0]);
        assertNull(seats.get(1).memory().read(first[0], 1));
        long[] rest = placed(ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x80, 0, acl(), 0)), 0);
        assertArrayEquals(new long[] {0x4000_0000L + 512 * 0x1000L, 0x1000}, rest);
        assertNotNull(seats.get(1).memory().read(first[0], 1));
        assertNotNull(seats.get(1).memory().read(rest[0], 1));
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void sanitizedParcelsAreZeroed() {
        long page = 0x6500_0000L;
        GuestMemory owner = seats.get(0).memory();
        GuestMemory mine = seats.get(1).memory();
        assertTrue(owner.write(page, new byte[] {5, 6, 7}));
        // MEM_LEND with MEM_CREATE_FLAG_SANITIZE: zeroed as it enters the parcel; VALIDATE_SANITIZED passes
        int h = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 1, 0, acl(SVM1, RW), sgl(page, 0x1000))));
        long ipa = placed(ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x81, 0, acl(), 0)), 0)[0];
        assertArrayEquals(new byte[3], mine.read(ipa, 3), "the owner's bytes are gone");
        assertTrue(mine.write(ipa, new byte[] {9}));
        // MEM_RELEASE with its SANITIZE flag: zeroed when the owner takes it back
        ok(svm1, MessageId.MEM_RELEASE, handleFlags(h, 1));
        ok(hlos, MessageId.MEM_RECLAIM, handleFlags(h, 0));
        assertArrayEquals(new byte[3], owner.read(page, 3), "the borrower's bytes are gone");

        // MEM_ACCEPT_FLAG_SANITIZE needs write access; MEM_RECLAIM's own flag zeroes too
        assertTrue(owner.write(page, new byte[] {1, 2}));
        int r = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, R), sgl(page, 0x1000))));
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.MEM_ACCEPT, accept(r, 0, 1, 0xA0, 0, acl(), 0));
        ipa = placed(ok(svm1, MessageId.MEM_ACCEPT, accept(r, 0, 1, 0x80, 0, acl(), 0)), 0)[0];
        assertArrayEquals(new byte[] {1, 2}, mine.read(ipa, 2), "not sanitized at creation");
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.MEM_RELEASE, handleFlags(r, 1)); // read-only: no sanitize
        ok(svm1, MessageId.MEM_RELEASE, handleFlags(r, 0));
        ok(hlos, MessageId.MEM_RECLAIM, handleFlags(r, 1));
        assertArrayEquals(new byte[2], owner.read(page, 2));
        assertEquals(0, rm.internalFaults());
    }

    private Memparcel parcel(int h) {
        return rm.memparcels().stream().filter(p -> p.handle() == h).findFirst().orElseThrow();
    }

    // ---- IPA_RESERVE ---------------------------------------------------------------------------------------

    /** ipa_reserve_req_t then the list: {base, size} (fixed, type 0) or {region base, region size, size, align}. */
    private static byte[] reserve(int type, long generic, long platform, long... entries) {
        int words = type == 0 ? 2 : 4;
        Wire.Writer w = Wire.writer().u8(type).u8(0).u16(0).u32(generic).u32(platform);
        w.u16(entries.length / words).u16(0);
        for (long e : entries) {
            w.u64(e);
        }
        return w.build();
    }

    @Test
    void ipaReserveTagsRangesOfTheCallersSpace() {
        long any = -1;
        refused(RmError.MSG_INVALID, svm1, MessageId.IPA_RESERVE, new byte[15]);
        refused(RmError.MSG_INVALID, svm1, MessageId.IPA_RESERVE, reserve(2, 4, 0));
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.IPA_RESERVE, reserve(1, 1, 0)); // ECC without NORMAL
        refused(RmError.ARGUMENT_INVALID, svm1, MessageId.IPA_RESERVE, reserve(1, 4, 1)); // a platform constraint
        refused(RmError.NORESOURCE, svm1, MessageId.IPA_RESERVE, reserve(0, 4, 0, new long[62])); // 31 entries
        byte[] truncated = reserve(0, 4, 0, 0x5000_0000L, 0x1000);
        refused(
                RmError.MSG_INVALID,
                svm1,
                MessageId.IPA_RESERVE,
                java.util.Arrays.copyOf(truncated, truncated.length - 8));
        refused(
                RmError.MSG_INVALID,
                svm1,
                MessageId.IPA_RESERVE,
                java.util.Arrays.copyOf(truncated, truncated.length + 4));
        refused(RmError.DENIED, hlos, MessageId.IPA_RESERVE, reserve(0, 0, 0, 0x3000_0000L, 0x1000)); // HLOS: no tags
        assertEquals(0, ok(svm1, MessageId.IPA_RESERVE, reserve(0, 0, 0)).length, "an empty fixed list");
        assertEquals(0, u32(ok(svm1, MessageId.IPA_RESERVE, reserve(1, 0, 0))), "an empty alloc list");

        // alloc list, ECC normal memory: each IPA chosen in its region (any: the lowest free 2 MiB)
        Wire.Reader r = new Wire.Reader(ok(
                svm1,
                MessageId.IPA_RESERVE,
                reserve(1, 5, 0, any, 0, 0x20_0000L, 0x20_0000L, 0x5000_0000L, 0x100_0000L, 0x1000, 0x1000)));
        assertEquals(2, r.u32());
        assertEquals(0x4000_0000L, r.u64());
        assertEquals(0x5000_0000L, r.u64());
        // an ECC range takes no memory without ECC (all of QEMU's is plain normal): MEM_INVALID; any-base accepts
        // go round it
        int h = (int) u32(ok(hlos, MessageId.MEM_LEND, create(0, 0, 0, acl(SVM1, RW), sgl(0x6600_0000L, 0x1000))));
        refused(
                RmError.MEM_INVALID,
                svm1,
                MessageId.MEM_ACCEPT,
                accept(h, 0, 1, 0x80, 0, acl(), 0, 0x5000_0000L, 0x1000));
        assertArrayEquals(
                new long[] {0x4020_0000L, 0x1000},
                placed(ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x80, 0, acl(), 0)), 0));
        ok(svm1, MessageId.MEM_RELEASE, handleFlags(h, 0));
        // fixed list with no constraints (tag VALID): normal memory fits it
        ok(svm1, MessageId.IPA_RESERVE, reserve(0, 0, 0, 0x6000_0000L, 0x1000));
        ok(svm1, MessageId.MEM_ACCEPT, accept(h, 0, 1, 0x80, 0, acl(), 0, 0x6000_0000L, 0x1000));
        assertNotNull(seats.get(1).memory().read(0x6000_0000L, 1));
        // BASE_MEMORY_COMPATIBLE is the tag of the VM's own RAM
        ok(svm1, MessageId.IPA_RESERVE, reserve(0, 0x40, 0, 0x6100_0000L, 0x1000));

        // a refusal is DENIED and undoes the entries before it (fixed list: the real loop never ends; the model
        // gives its intended result)
        refused(
                RmError.DENIED,
                svm1,
                MessageId.IPA_RESERVE,
                reserve(0, 4, 0, 0x6200_0000L, 0x1000, SVM1_RAM, 0x1000)); // svm1's RAM is allocated
        ok(svm1, MessageId.IPA_RESERVE, reserve(0, 4, 0, 0x6200_0000L, 0x1000)); // so the first was untagged again
        refused(RmError.DENIED, svm1, MessageId.IPA_RESERVE, reserve(0, 4, 0, 0x6200_0000L, 0x1000)); // tagged now
        refused(
                RmError.DENIED,
                svm1,
                MessageId.IPA_RESERVE,
                reserve(1, 4, 0, any, 0, 0x1000, 0x1000, any, 0, 1L << 40, 0x1000));
        Wire.Reader again = new Wire.Reader(ok(svm1, MessageId.IPA_RESERVE, reserve(1, 4, 0, any, 0, 0x1000, 0x1000)));
        assertEquals(1, again.u32());
        assertEquals(0x4020_0000L, again.u64(), "the refused list's first range was untagged");
        // IPA_UNRESERVE: the real RM's handler leaves it unhandled
        refused(RmError.UNIMPLEMENTED, svm1, MessageId.IPA_UNRESERVE, reserve(0, 4, 0, 0x6200_0000L, 0x1000));
        assertEquals(0, rm.internalFaults());
    }
}
