package dev.gunyahdt.hypervisor.rm.rpc;

import static dev.gunyahdt.hypervisor.rm.rpc.FragmentationTest.concat;
import static dev.gunyahdt.hypervisor.rm.rpc.FragmentationTest.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each malformed-input class of §8.2 and its outcome: dropped silently, or (unknown ID) an UNIMPLEMENTED reply. */
class MalformedInputTest {
    static final int WRITE = MessageId.VM_CONSOLE_WRITE.id();

    static Decoded.Dropped dropped(DropReason r) {
        return new Decoded.Dropped(r);
    }

    /** A 3-fragment request in progress (2 of 3 in) so drops can be shown to leave it intact. */
    static Reassembler withPartial(List<byte[]> frags) {
        Reassembler r = new Reassembler();
        r.accept(frags.get(0));
        r.accept(frags.get(1));
        return r;
    }

    static final RpcMessage BIG = RpcMessage.request(MessageId.VM_CONSOLE_WRITE, 11, payload(600, 1));
    static final List<byte[]> BIG_FRAGS = Fragmenter.fragments(BIG);

    /** The in-progress message still completes with its own last fragment: the drop changed nothing. */
    static void stillCompletes(Reassembler r) {
        assertEquals(new Decoded.Message(BIG, false), r.accept(BIG_FRAGS.get(2)));
    }

    @Test
    void shortPacketsAreDropped() {
        for (int n = 0; n < 8; n++) {
            Reassembler r = withPartial(BIG_FRAGS);
            assertEquals(dropped(DropReason.SHORT_PACKET), r.accept(new byte[n]));
            stillCompletes(r);
        }
        assertEquals(dropped(DropReason.SHORT_PACKET), new Reassembler().accept(null));
    }

    @Test
    void badVersionOrHeaderWordsAreDropped() {
        for (int b0 : new int[] {0x20, 0x22, 0x2F, 0x01, 0x11, 0x31, 0xF1, 0x00, 0xFF}) {
            byte[] f = BIG_FRAGS.get(0).clone();
            f[0] = (byte) b0;
            Reassembler r = new Reassembler();
            DropReason expect = (b0 & 0xF) != 1 ? DropReason.BAD_VERSION : DropReason.BAD_HEADER_WORDS;
            assertEquals(dropped(expect), r.accept(f), Integer.toHexString(b0));
            assertFalse(r.inProgress());
            // and a bad continuation does not disturb a message in progress
            byte[] c = BIG_FRAGS.get(2).clone();
            c[0] = (byte) b0;
            Reassembler p = withPartial(BIG_FRAGS);
            assertEquals(dropped(expect), p.accept(c));
            stillCompletes(p);
        }
    }

    @Test
    void countField63IsDropped() {
        byte[] f = RpcHeader.of(MessageType.REQUEST, 63, 0, WRITE).encode();
        assertEquals(dropped(DropReason.BAD_FRAGMENT_COUNT), new Reassembler().accept(f));
        byte[] ok = RpcHeader.of(MessageType.REQUEST, 62, 0, WRITE).encode();
        assertEquals(new Decoded.Pending(1, 63, false), new Reassembler().accept(ok));
    }

    @Test
    void continuationWithNothingInProgressIsDropped() {
        Reassembler r = new Reassembler();
        assertEquals(dropped(DropReason.CONTINUATION_WITHOUT_MESSAGE), r.accept(BIG_FRAGS.get(1)));
        // one fragment too many: the message completed, the extra continuation has nothing to join
        for (byte[] f : BIG_FRAGS) {
            r.accept(f);
        }
        assertEquals(dropped(DropReason.CONTINUATION_WITHOUT_MESSAGE), r.accept(BIG_FRAGS.get(2)));
    }

    @Test
    void continuationWithOtherIdSequenceOrCountIsDropped() {
        RpcHeader h = RpcHeader.read(BIG_FRAGS.get(2));
        byte[] body = new byte[BIG_FRAGS.get(2).length - 8];
        List<RpcHeader> wrong = List.of(
                RpcHeader.of(MessageType.CONTINUED, h.additionalFragments(), h.sequence(), WRITE + 1),
                RpcHeader.of(MessageType.CONTINUED, h.additionalFragments(), h.sequence() + 1, WRITE),
                RpcHeader.of(MessageType.CONTINUED, h.additionalFragments() + 1, h.sequence(), WRITE),
                RpcHeader.of(MessageType.CONTINUED, h.additionalFragments() - 1, h.sequence(), WRITE));
        for (RpcHeader w : wrong) {
            Reassembler r = withPartial(BIG_FRAGS);
            assertEquals(dropped(DropReason.CONTINUATION_MISMATCH), r.accept(concat(w.encode(), body)), w.toString());
            stillCompletes(r);
        }
    }

    @Test
    void aNewMessageDiscardsThePartialOne() {
        // Interleaved sequences: the second request's first fragment abandons the first request.
        RpcMessage other = RpcMessage.request(MessageId.VM_CONSOLE_WRITE, 12, payload(300, 2));
        List<byte[]> of = Fragmenter.fragments(other);
        Reassembler r = withPartial(BIG_FRAGS);
        assertEquals(new Decoded.Pending(1, 2, true), r.accept(of.get(0)));
        assertEquals(dropped(DropReason.CONTINUATION_MISMATCH), r.accept(BIG_FRAGS.get(2)));
        assertEquals(new Decoded.Message(other, false), r.accept(of.get(1)));
        // a single-fragment message also abandons a partial one, and is delivered
        RpcMessage small = RpcMessage.request(MessageId.VM_GET_VMID, 13, new byte[0]);
        Reassembler r2 = withPartial(BIG_FRAGS);
        assertEquals(
                new Decoded.Message(small, true),
                r2.accept(Fragmenter.fragments(small).get(0)));
        assertEquals(dropped(DropReason.CONTINUATION_WITHOUT_MESSAGE), r2.accept(BIG_FRAGS.get(2)));
    }

    @Test
    void oversizeFragmentIsDroppedSoReassemblyStaysBounded() {
        byte[] f = concat(RpcHeader.of(MessageType.REQUEST, 62, 0, WRITE).encode(), new byte[233]);
        Reassembler r = new Reassembler();
        assertEquals(dropped(DropReason.OVERSIZE_FRAGMENT), r.accept(f));
        assertEquals(0, r.bufferedBytes());
        // 62 full fragments of a 63-fragment message: the most the reassembler ever holds
        byte[] first = concat(RpcHeader.of(MessageType.REQUEST, 62, 0, WRITE).encode(), new byte[232]);
        byte[] cont = concat(RpcHeader.of(MessageType.CONTINUED, 62, 0, WRITE).encode(), new byte[232]);
        r.accept(first);
        for (int i = 0; i < 61; i++) {
            r.accept(cont);
        }
        assertEquals(62 * 232, r.bufferedBytes());
        Decoded d = r.accept(cont);
        assertEquals(14616, ((Decoded.Message) d).message().payloadLength());
    }

    @Test
    void unknownOrUnimplementedRequestIdsGetUnimplementedReply() {
        for (int id : new int[] {
            0x56000003,
            0,
            -1,
            MessageId.VM_GET_HYP_CAPIDS.id(),
            MessageId.VM_GET_HYP_IRQS.id(),
            MessageId.VM_SET_CONTEXT.id(),
            MessageId.VM_SUSPEND.id(),
            MessageId.NOTIFY_VM_STATUS.id()
        }) {
            RpcMessage req = new RpcMessage(MessageType.REQUEST, 0xBEEF, id, new byte[] {1, 2, 3, 4});
            RmIntake.Outcome o = RmIntake.classify(req);
            assertEquals(RmIntake.Action.ERROR_REPLY, o.action(), Integer.toHexString(id));
            RpcMessage reply = o.reply();
            assertEquals(MessageType.REPLY, reply.type());
            assertEquals(0xBEEF, reply.sequence());
            assertEquals(id, reply.messageId());
            assertArrayEquals(new byte[] {-1, -1, -1, -1}, reply.payload());
        }
    }

    @Test
    void rmDispatchesOnlyRequestsAndDropsReplies() {
        for (MessageId id : MessageId.values()) {
            RmIntake.Outcome req = RmIntake.classify(RpcMessage.request(id, 1, new byte[0]));
            boolean handled = id.kind() == MessageId.Kind.REQUEST && id.handling() == MessageId.Handling.HANDLED;
            assertEquals(handled ? RmIntake.Action.DISPATCH : RmIntake.Action.ERROR_REPLY, req.action(), id.name());
            assertEquals(handled, req.reply() == null);
            RpcMessage asReply = new RpcMessage(MessageType.REPLY, 1, id.id(), new byte[4]);
            assertEquals(RmIntake.Action.DROP, RmIntake.classify(asReply).action());
            assertNull(RmIntake.classify(asReply).reply());
            RpcMessage asNotify = new RpcMessage(MessageType.NOTIFICATION, 1, id.id(), new byte[0]);
            assertEquals(
                    RmIntake.Action.PLATFORM_HOOK, RmIntake.classify(asNotify).action());
        }
        assertTrue(MessageId.values().length > 0);
    }
}
