package dev.gunyahdt.hypervisor.rm.rpc;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderAndIdsTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void headerBytesAreLittleEndianWithVersionAndWordsNibbles() {
        // 0x21 = words 2 << 4 | version 1; byte 1 = count << 2 | type; seq and ID little-endian (§8.2).
        assertArrayEquals(bytes(0x21, 0x01, 0x34, 0x12, 0x01, 0x00, 0x00, 0x56),
                RpcHeader.of(MessageType.REQUEST, 0, 0x1234, MessageId.VM_ALLOCATE.id()).encode());
        assertArrayEquals(bytes(0x21, 0xFA, 0xFF, 0xFF, 0x20, 0x00, 0x00, 0x56),
                RpcHeader.of(MessageType.REPLY, 62, 0xFFFF, MessageId.VM_GET_HYP_RESOURCES.id()).encode());
        assertArrayEquals(bytes(0x21, 0x07, 0x00, 0x00, 0x80, 0x00, 0x10, 0x56),
                RpcHeader.of(MessageType.NOTIFICATION, 1, 0, MessageId.NOTIFY_VM_CONSOLE_CHARS.id()).encode());
        assertArrayEquals(bytes(0x21, 0x08, 0x05, 0x00, 0x04, 0x00, 0x00, 0x56),
                RpcHeader.of(MessageType.CONTINUED, 2, 5, MessageId.VM_START.id()).encode());
    }

    @Test
    void everyTypeCountAndSequenceRoundTrips() {
        for (MessageType t : MessageType.values()) {
            for (int count : new int[] {0, 1, 31, 62}) {
                for (int seq : new int[] {0, 1, 0x7FFF, 0xFFFF}) {
                    RpcHeader h = RpcHeader.of(t, count, seq, 0xDEADBEEF);
                    RpcHeader back = RpcHeader.read(h.encode());
                    assertEquals(h, back);
                    assertNull(back.problem());
                }
            }
        }
    }

    @Test
    void readIsTotalOverAnyEightBytes() {
        RpcHeader h = RpcHeader.read(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
        assertEquals(new RpcHeader(15, 15, MessageType.NOTIFICATION, 63, 0xFFFF, -1), h);
        assertEquals(DropReason.BAD_VERSION, h.problem());
        assertNull(RpcHeader.read(new byte[7]));
        assertNull(RpcHeader.read(null));
    }

    @Test
    void messageIdTableMatchesTheReference() {
        // §8.5, spot values from each range, and the table is one-to-one.
        assertEquals(0x56000001, MessageId.VM_ALLOCATE.id());
        assertEquals(0x56000004, MessageId.VM_START.id());
        assertEquals(0x5600000B, MessageId.VM_INIT.id());
        assertEquals(0x56000020, MessageId.VM_GET_HYP_RESOURCES.id());
        assertEquals(0x56000055, MessageId.VM_IRQ_UNMAP.id());
        assertEquals(0x56000083, MessageId.VM_CONSOLE_WRITE.id());
        assertEquals(0x560000B1, MessageId.IPA_UNRESERVE.id());
        assertEquals(0x5100001A, MessageId.MEM_QCOM_LOOKUP_SGL.id());
        assertEquals(0x51000021, MessageId.FW_SET_VM_FIRMWARE.id());
        assertEquals(0x56100080, MessageId.NOTIFY_VM_CONSOLE_CHARS.id());
        assertEquals(0x51100014, MessageId.NOTIFY_MEM_RECALL.id());
        Set<Integer> seen = new HashSet<>();
        for (MessageId m : MessageId.values()) {
            assertTrue(seen.add(m.id()), m.name());
            assertEquals(m, MessageId.of(m.id()));
            assertEquals(m.name(), MessageId.nameOf(m.id()));
            boolean notifyRange = (m.id() & 0x00F00000) == 0x00100000;
            assertEquals(notifyRange, m.kind() == MessageId.Kind.NOTIFICATION, m.name());
        }
        assertEquals(52 + 11, MessageId.values().length);
        assertEquals("0x56000003", MessageId.nameOf(0x56000003));
        assertEquals(MessageId.Handling.NOT_IMPLEMENTED, MessageId.VM_GET_HYP_CAPIDS.handling());
        assertEquals(MessageId.Handling.NOT_IMPLEMENTED, MessageId.VM_SET_CONTEXT.handling());
    }

    @Test
    void everyMessageIdRoundTripsAsEveryType() {
        for (MessageId id : MessageId.values()) {
            for (MessageType t : new MessageType[] {MessageType.REQUEST, MessageType.REPLY, MessageType.NOTIFICATION}) {
                RpcMessage m = new RpcMessage(t, id.ordinal(), id.id(), new byte[] {1, 2, 3, (byte) id.ordinal()});
                Reassembler r = new Reassembler();
                Decoded d = null;
                for (byte[] f : Fragmenter.fragments(m)) {
                    d = r.accept(f);
                }
                assertEquals(new Decoded.Message(m, false), d, id + " " + t);
            }
        }
    }

    @Test
    void rmErrorCodesAndHypMapping() {
        assertEquals(-1, RmError.UNIMPLEMENTED.code());
        assertEquals(20, RmError.VM_STATE.code());
        assertEquals(RmError.MSG_INVALID, RmError.of(4));
        assertNull(RmError.of(21));
        assertEquals(RmError.MEM_INVALID, RmError.fromHyp(dev.gunyahdt.hypervisor.call.HypError.ADDR_OVERFLOW));
        assertEquals(RmError.NORESOURCE, RmError.fromHyp(dev.gunyahdt.hypervisor.call.HypError.NORESOURCES));
        assertEquals(RmError.DENIED, RmError.fromHyp(dev.gunyahdt.hypervisor.call.HypError.MSGQUEUE_FULL));
        RpcMessage req = RpcMessage.request(MessageId.VM_GET_VMID, 9, new byte[0]);
        RpcMessage rep = RpcMessage.reply(req, RmError.OK, new byte[] {45, 0, 0, 0});
        assertArrayEquals(bytes(0, 0, 0, 0, 45, 0, 0, 0), rep.payload());
        assertEquals(9, rep.sequence());
        assertEquals(0, rep.replyErrorCode());
        assertArrayEquals(bytes(45, 0, 0, 0), rep.replyData());
        assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF), RpcMessage.reply(req, RmError.UNIMPLEMENTED).payload());
    }
}
