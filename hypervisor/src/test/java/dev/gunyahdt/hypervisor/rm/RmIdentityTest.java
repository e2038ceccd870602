package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RmError;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VM identity and crash messages over RPC as vm_mgnt.c answers them: VM_GET_ID (GUID always, name, URI, signing
 * authority; VM_STATE before VM_INIT; NORESOURCE for an unknown VM or one the caller may not query), the
 * VM_LOOKUP_* lists and their refusals (no payload: ARGUMENT_INVALID; bad length or padding: MSG_INVALID; too long:
 * ARGUMENT_INVALID), VM_SET_CRASH_MSG (cut at 192 bytes) and VM_GET_CRASH_MSG (owner only: VMID_INVALID), and
 * VM_RESET clearing them.
 */
class RmIdentityTest {
    private static final long MEMORY = 0x8000_0000L;
    private static final String GUID = "00112233-4455-6677-8899-aabbccddeeff";
    private final List<GuestSeat> seats = new ArrayList<>();
    private final Hypervisor hv = new Hypervisor(11);
    private ResourceManager rm;

    private RpcClient boot() {
        SystemConfig sys = SystemConfig.read(
                "system.dtb",
                DtbReader.read(
                        Configs.compile(Configs.system(
                                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                                Configs.tableEntry("svm1", 0x80, false, 0x80000000L, 0x10000000L))),
                        "system.dtb"));
        String rpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;";
        rm = ResourceManager.boot(
                hv,
                sys,
                Platform.QEMU,
                Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rpc, "", "")),
                new VcpuHost() {
                    @Override
                    public void powerOn(GuestSeat seat) {
                        seats.add(seat);
                    }

                    @Override
                    public void powerOff(int vmid) {}
                },
                () -> 0);
        return client("hlos", "qcom,resource-manager-rpc@");
    }

    /** A VM's RPC client on the RM node of its merged DTB. */
    private RpcClient client(String vm, String rmNode) {
        long[] reg = DtbReader.read(rm.vm(vm).orElseThrow().guestDtb().orElseThrow(), "g")
                .find("/hypervisor")
                .orElseThrow()
                .children()
                .stream()
                .filter(c -> c.node().name().startsWith(rmNode))
                .findFirst()
                .orElseThrow()
                .node()
                .property("reg")
                .orElseThrow()
                .value()
                .cells();
        GuestSeat seat = seats.get(seats.size() - 1);
        return new RpcClient(new RpcEndpoint(
                hv, seat.caller(), reg[0] << 32 | reg[1], reg[2] << 32 | reg[3], seat.ramBase() + 0x1000));
    }

    private RpcMessage call(RpcClient c, MessageId id, byte[] payload) {
        return RpcSeat.call(rm, c, id, payload);
    }

    private static void assertError(RmError want, RpcMessage r) {
        assertEquals(want.code(), r.replyErrorCode(), r.toString());
    }

    private static byte[] vmid(int v) {
        return Wire.writer().u16(v).u16(0).build();
    }

    private static byte[] lengthAndText(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Wire.writer().u16(b.length).u16(0).bytes(b).pad4().build();
    }

    /** VM_ALLOCATE, MEM_LEND of its memory (its DT in it), VM_CONFIG_IMAGE and VM_INIT of svm1 with a URI and GUID; its image. */
    private void createSvm1(RpcClient hlos) {
        String cfg = Configs.vm(
                        "svm1",
                        0x80000000L,
                        0x10000000L,
                        "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;",
                        "",
                        "")
                .replace(
                        "image-name = \"svm1\";",
                        "image-name = \"svm1\"; vm-uri = \"vm:svm1\"; vm-guid = \"" + GUID + "\";");
        byte[] dt = Configs.compile(cfg);
        assertEquals(0, call(hlos, MessageId.VM_ALLOCATE, vmid(0)).replyErrorCode()); // the first dynamic VMID: 0x80
        // svm1's memory, which the RM gave hlos at boot, lent whole with the DT in it (as the VMM does)
        assertTrue(seats.get(0).memory().write(MEMORY + ResourceManager.DT_OFFSET, dt));
        RpcMessage lend = call(hlos, MessageId.MEM_LEND, RpcSeat.memLend(0x80, MEMORY, 0x10000000L));
        assertEquals(0, lend.replyErrorCode());
        long handle = new Wire.Reader(lend.replyData()).u32();
        RpcMessage getIdEarly = call(hlos, MessageId.VM_GET_ID, vmid(0x80));
        assertError(RmError.VM_STATE, getIdEarly); // not READY yet
        assertEquals(
                0,
                call(
                                hlos,
                                MessageId.VM_CONFIG_IMAGE,
                                Wire.writer()
                                        .u16(0x80)
                                        .u16(0)
                                        .u32(handle)
                                        .u64(0)
                                        .u64(0)
                                        .u64(ResourceManager.DT_OFFSET)
                                        .u64(dt.length)
                                        .build())
                        .replyErrorCode());
        assertEquals(0, call(hlos, MessageId.VM_INIT, vmid(0x80)).replyErrorCode());
    }

    @Test
    void getIdAnswersTheConfigsIdsAndTheQemuSigningAuthority() {
        RpcClient hlos = boot();
        // the primary about itself: a zero GUID, the name vm_mgnt_init gives it, no URI, "N/A"
        byte[] self = call(hlos, MessageId.VM_GET_ID, vmid(0)).replyData();
        assertArrayEquals(
                Wire.writer()
                        .u32(3)
                        .u8(0)
                        .u8(0)
                        .u16(16)
                        .bytes(new byte[16])
                        .u8(2)
                        .u8(0)
                        .u16(4)
                        .bytes("HLOS".getBytes(StandardCharsets.US_ASCII))
                        .u8(3)
                        .u8(0)
                        .u16(3)
                        .bytes("N/A".getBytes(StandardCharsets.US_ASCII))
                        .pad4()
                        .build(),
                self);
        assertError(RmError.NORESOURCE, call(hlos, MessageId.VM_GET_ID, vmid(0x90))); // no such VM
        assertError(RmError.MSG_INVALID, call(hlos, MessageId.VM_GET_ID, new byte[2]));
        createSvm1(hlos);
        byte[] svm1 = call(hlos, MessageId.VM_GET_ID, vmid(0x80)).replyData();
        byte[] guid = {
            0,
            0x11,
            0x22,
            0x33,
            0x44,
            0x55,
            0x66,
            0x77,
            (byte) 0x88,
            (byte) 0x99,
            (byte) 0xaa,
            (byte) 0xbb,
            (byte) 0xcc,
            (byte) 0xdd,
            (byte) 0xee,
            (byte) 0xff
        };
        assertArrayEquals(
                Wire.writer()
                        .u32(4)
                        .u8(0)
                        .u8(0)
                        .u16(16)
                        .bytes(guid)
                        .u8(2)
                        .u8(0)
                        .u16(4)
                        .bytes("svm1".getBytes(StandardCharsets.US_ASCII))
                        .u8(1)
                        .u8(0)
                        .u16(7)
                        .bytes("vm:svm1".getBytes(StandardCharsets.US_ASCII))
                        .pad4()
                        .u8(3)
                        .u8(0)
                        .u16(3)
                        .bytes("N/A".getBytes(StandardCharsets.US_ASCII))
                        .pad4()
                        .build(),
                svm1);

        // lookups: what the caller may see (itself, what it owns, its peers), by VMID
        assertArrayEquals(Wire.writer().u32(1).u32(0x80).build(), lookup(hlos, MessageId.VM_LOOKUP_NAME, "svm1"));
        assertArrayEquals(Wire.writer().u32(1).u32(3).build(), lookup(hlos, MessageId.VM_LOOKUP_NAME, "HLOS"));
        assertArrayEquals(Wire.writer().u32(0).build(), lookup(hlos, MessageId.VM_LOOKUP_NAME, "svm2"));
        assertArrayEquals(Wire.writer().u32(1).u32(0x80).build(), lookup(hlos, MessageId.VM_LOOKUP_URI, "vm:svm1"));
        assertArrayEquals(
                Wire.writer().u32(1).u32(0x80).build(),
                call(hlos, MessageId.VM_LOOKUP_GUID, guid).replyData());
        assertArrayEquals(
                Wire.writer().u32(1).u32(3).build(), // HLOS's GUID is zero
                call(hlos, MessageId.VM_LOOKUP_GUID, new byte[16]).replyData());
        // refusals, in vm_mgnt.c's order
        assertError(RmError.ARGUMENT_INVALID, call(hlos, MessageId.VM_LOOKUP_NAME, new byte[0]));
        assertError(RmError.ARGUMENT_INVALID, call(hlos, MessageId.VM_LOOKUP_GUID, new byte[0]));
        assertError(RmError.MSG_INVALID, call(hlos, MessageId.VM_LOOKUP_NAME, new byte[2]));
        assertError(RmError.MSG_INVALID, call(hlos, MessageId.VM_LOOKUP_GUID, new byte[15]));
        assertError(
                RmError.MSG_INVALID,
                call(
                        hlos,
                        MessageId.VM_LOOKUP_URI,
                        Wire.writer()
                                .u16(3)
                                .u16(0)
                                .bytes(new byte[] {'a', 'b', 'c', 1})
                                .build()));
        assertError(
                RmError.MSG_INVALID,
                call(
                        hlos,
                        MessageId.VM_LOOKUP_URI,
                        Wire.writer().u16(3).u16(0).bytes(new byte[8]).build()));
        assertError(
                RmError.ARGUMENT_INVALID,
                call(
                        hlos,
                        MessageId.VM_LOOKUP_NAME,
                        Wire.writer().u16(80).u16(0).build()));
    }

    private byte[] lookup(RpcClient c, MessageId id, String key) {
        RpcMessage r = call(c, id, lengthAndText(key));
        assertEquals(0, r.replyErrorCode(), id + " " + key);
        return r.replyData();
    }

    @Test
    void aCrashMessageIsKeptForTheOwnerCutAt192BytesAndClearedByReset() {
        RpcClient hlos = boot();
        createSvm1(hlos);
        assertEquals(0, call(hlos, MessageId.VM_START, vmid(0x80)).replyErrorCode());
        RpcClient svm1 = client("svm1", "qcom,resource-mgr@");
        assertArrayEquals(
                Wire.writer().u16(0).u16(0).build(),
                call(hlos, MessageId.VM_GET_CRASH_MSG, vmid(0x80)).replyData());
        assertEquals(
                0,
                call(svm1, MessageId.VM_SET_CRASH_MSG, lengthAndText("oops: null deref"))
                        .replyErrorCode());
        assertArrayEquals(
                lengthAndText("oops: null deref"),
                call(hlos, MessageId.VM_GET_CRASH_MSG, vmid(0x80)).replyData());
        String longer = "x".repeat(200);
        assertEquals(
                0, call(svm1, MessageId.VM_SET_CRASH_MSG, lengthAndText(longer)).replyErrorCode());
        assertArrayEquals(
                lengthAndText("x".repeat(192)),
                call(hlos, MessageId.VM_GET_CRASH_MSG, vmid(0x80)).replyData());
        // refusals: only the owner reads it; the set's length and padding are checked
        assertError(RmError.VMID_INVALID, call(svm1, MessageId.VM_GET_CRASH_MSG, vmid(0x80)));
        assertError(RmError.VMID_INVALID, call(hlos, MessageId.VM_GET_CRASH_MSG, vmid(0x99)));
        assertError(RmError.MSG_INVALID, call(svm1, MessageId.VM_SET_CRASH_MSG, new byte[3]));
        assertError(
                RmError.MSG_INVALID,
                call(
                        svm1,
                        MessageId.VM_SET_CRASH_MSG,
                        Wire.writer().u16(5).u16(0).build()));
        assertError(
                RmError.MSG_INVALID,
                call(
                        svm1,
                        MessageId.VM_SET_CRASH_MSG,
                        Wire.writer()
                                .u16(1)
                                .u16(0)
                                .bytes(new byte[] {'a', 0, 0, 9})
                                .build()));
        // VM_RESET clears ids and the message (vm_reset_handle_cleanup)
        assertEquals(
                0,
                call(
                                hlos,
                                MessageId.VM_STOP,
                                Wire.writer().u16(0x80).u8(1).u8(0).u32(0).build())
                        .replyErrorCode());
        assertEquals(0, call(hlos, MessageId.VM_RESET, vmid(0x80)).replyErrorCode());
        assertArrayEquals(
                Wire.writer().u16(0).u16(0).build(),
                call(hlos, MessageId.VM_GET_CRASH_MSG, vmid(0x80)).replyData());
        assertArrayEquals(Wire.writer().u32(0).build(), lookup(hlos, MessageId.VM_LOOKUP_NAME, "svm1"));
    }
}
