package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A booted RM on the QEMU platform with hlos (VMID 3, RAM at 0x40000000) and two secondary slots, svm1 (0x80, RAM at
 * 0x80000000) and svm2 (0x81, RAM at 0x90000000), whose RAM hlos holds from boot; hlos's RPC client, and the
 * requests the RM RPC tests share.
 */
final class RmSession {
    static final int HLOS = 3;
    static final int SVM1 = 0x80;
    static final long SVM1_RAM = 0x8000_0000L;
    static final int SVM2 = 0x81;
    static final long SVM_SIZE = 0x1000_0000L;

    final List<GuestSeat> seats = new ArrayList<>();
    final Hypervisor hv = new Hypervisor(11);
    final ResourceManager rm;
    final RpcClient hlos;
    /** The notifications hlos received while waiting for its replies, in order. */
    final List<RpcMessage> hlosNotes = new ArrayList<>();

    RmSession() {
        SystemConfig sys = SystemConfig.read(
                "system.dtb",
                DtbReader.read(
                        Configs.compile(Configs.system(
                                Configs.tableEntry("hlos", HLOS, true, 0x40000000L, 0x40000000L),
                                Configs.tableEntry("svm1", SVM1, false, SVM1_RAM, SVM_SIZE),
                                Configs.tableEntry("svm2", SVM2, false, ram(SVM2), SVM_SIZE))),
                        "system.dtb"));
        rm = ResourceManager.boot(
                hv,
                sys,
                Platform.QEMU,
                Configs.compile(Configs.vm(
                        "hlos", 0x40000000L, 0x40000000L, "generate = \"/hypervisor/qcom,resource-mgr\";", "", "")),
                RpcSeat.collecting(seats),
                () -> 0);
        hlos = RpcSeat.client(
                hv, seats.get(0), rm.vm("hlos").orElseThrow().guestDtb().orElseThrow());
    }

    private static long ram(int vmid) {
        return SVM1_RAM + (vmid - SVM1) * SVM_SIZE;
    }

    RpcMessage call(MessageId id, byte[] payload) {
        return call(hlos, id, payload);
    }

    RpcMessage call(RpcClient client, MessageId id, byte[] payload) {
        return RpcSeat.reply(rm, client, id, payload, in -> {
                    if (!in.isReply() && client == hlos) {
                        hlosNotes.add(in.message());
                    }
                })
                .orElseThrow(() -> new AssertionError("no reply to " + id));
    }

    byte[] ok(MessageId id, byte[] payload) {
        RpcMessage r = call(id, payload);
        assertEquals(0, r.replyErrorCode(), id + ": " + r);
        assertEquals(0, rm.internalFaults());
        return r.replyData();
    }

    /** The request is refused with {@code want} and the reply carries exactly {@code data} after the error word. */
    void refused(RmError want, MessageId id, byte[] payload, byte[] data) {
        refused(hlos, want, id, payload, data);
    }

    void refused(RpcClient client, RmError want, MessageId id, byte[] payload, byte[] data) {
        RpcMessage r = call(client, id, payload);
        assertEquals(want.code(), r.replyErrorCode(), id + ": " + r);
        assertEquals(
                java.util.HexFormat.of().formatHex(data),
                java.util.HexFormat.of().formatHex(r.replyData()));
        assertEquals(0, rm.internalFaults());
    }

    void refused(RmError want, MessageId id, byte[] payload) {
        refused(want, id, payload, new byte[0]);
    }

    static byte[] vmid(int v) {
        return Wire.writer().u16(v).u16(0).build();
    }

    /** hlos makes a memparcel of [ipa, ipa+size) it holds for {@code vmid} with RWX rights (MEM_LEND, _DONATE…). */
    int create(MessageId how, int vmid, long ipa, long size) {
        return (int) new Wire.Reader(ok(how, RpcSeat.memLend(vmid, ipa, size))).u32();
    }

    /**
     * VM_ALLOCATE of svm1 or svm2 (the next dynamic VMID), its RAM lent to it with its DT inside, VM_CONFIG_IMAGE with
     * {@code auth}: the VM is then in AUTH (PLATFORM) or INIT. Returns the image memparcel's handle.
     */
    int configure(int vmid, int auth) {
        long ram = ram(vmid);
        byte[] dt = Configs.compile(Configs.vm(
                "svm" + (vmid - SVM1 + 1), ram, SVM_SIZE, "generate = \"/hypervisor/qcom,resource-mgr\";", "", ""));
        assertEquals(vmid, new Wire.Reader(ok(MessageId.VM_ALLOCATE, vmid(0))).u32());
        assertTrue(seats.get(0).memory().write(ram + ResourceManager.DT_OFFSET, dt));
        int handle = create(MessageId.MEM_LEND, vmid, ram, SVM_SIZE);
        ok(
                MessageId.VM_CONFIG_IMAGE,
                Wire.writer()
                        .u16(vmid)
                        .u16(auth)
                        .u32(handle)
                        .u64(0)
                        .u64(0)
                        .u64(ResourceManager.DT_OFFSET)
                        .u64(dt.length)
                        .build());
        return handle;
    }

    /** VM_INIT and VM_START of a configured VM; its RPC client. */
    RpcClient start(int vmid) {
        ok(MessageId.VM_INIT, vmid(vmid));
        ok(MessageId.VM_START, vmid(vmid));
        return RpcSeat.client(
                hv,
                seats.get(seats.size() - 1),
                rm.vm(vmid).orElseThrow().guestDtb().orElseThrow());
    }

    VmState state(int vmid) {
        return rm.vm(vmid).orElseThrow().state();
    }
}
