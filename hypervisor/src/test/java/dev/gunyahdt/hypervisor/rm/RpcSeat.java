package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.rm.rpc.Le;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A booted RM with one primary VM (hlos, VMID 3) and that VM's raw RM-RPC endpoint: for tests
 * that put arbitrary packets on the RM's queue, then check it still works.
 */
public record RpcSeat(ResourceManager rm, RpcEndpoint endpoint) {

    /** A VcpuHost that keeps every seat the RM powers on, in order, in {@code seats}. */
    static VcpuHost collecting(List<GuestSeat> seats) {
        return new VcpuHost() {
            @Override
            public void powerOn(GuestSeat seat) {
                seats.add(seat);
            }

            @Override
            public void powerOff(int vmid) {}
        };
    }

    /**
     * A client on the RM-RPC link whose node the RM merged into {@code guestDtb} ({@code /hypervisor}'s child named
     * qcom,resource-m…: the primary's and a secondary's shape), sending from {@code seat}'s RAM.
     */
    static RpcClient client(Hypervisor hv, GuestSeat seat, byte[] guestDtb) {
        return new RpcClient(endpoint(hv, seat, guestDtb));
    }

    private static RpcEndpoint endpoint(Hypervisor hv, GuestSeat seat, byte[] guestDtb) {
        NodeCursor node = DtbReader.read(guestDtb, "guest").find("/hypervisor").orElseThrow().children().stream()
                .filter(c -> c.node().name().startsWith("qcom,resource-m"))
                .findFirst()
                .orElseThrow();
        long[] reg = node.node().property("reg").orElseThrow().value().cells();
        return new RpcEndpoint(
                hv, seat.caller(), reg[0] << 32 | reg[1], reg[2] << 32 | reg[3], seat.ramBase() + 0x1000);
    }

    /**
     * MEM_LEND of [ipa, ipa+size) to {@code vmid} with RWX rights, label 0, no attributes: a VM's memory as its owner
     * lends it (VM_START accepts it only with exactly that ACL).
     */
    static byte[] memLend(int vmid, long ipa, long size) {
        return Wire.writer()
                .u32(0)
                .u32(0)
                .u16(1)
                .u16(0)
                .u16(vmid)
                .u8(7)
                .u8(0)
                .u16(1)
                .u16(0)
                .u64(ipa)
                .u64(size)
                .u16(0)
                .u16(0)
                .build();
    }

    public static RpcSeat boot() {
        List<GuestSeat> seats = new ArrayList<>();
        VcpuHost host = collecting(seats);
        Hypervisor hv = new Hypervisor(3);
        SystemConfig sys = SystemConfig.read(
                "system.dtb",
                DtbReader.read(
                        Configs.compile(Configs.system(Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L))),
                        "system.dtb"));
        byte[] hlos = Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, "console-dev;", "", ""));
        ResourceManager rm = ResourceManager.boot(hv, sys, Platform.QEMU, hlos, host, () -> 0);
        GuestSeat seat = seats.get(0);
        return new RpcSeat(
                rm, endpoint(hv, seat, rm.vm("hlos").orElseThrow().guestDtb().orElseThrow()));
    }

    /**
     * {@code client}'s request {@code id}, the RM stepped until the reply with its sequence comes (at most 50 steps);
     * every message polled before it goes to {@code before}. Empty when no reply came.
     */
    static Optional<RpcMessage> reply(
            ResourceManager rm, RpcClient client, MessageId id, byte[] payload, Consumer<RpcClient.Incoming> before) {
        int seq = client.request(id, payload);
        for (int i = 0; i < 50; i++) {
            rm.step();
            for (RpcClient.Incoming in : client.poll()) {
                if (in.isReply() && in.message().sequence() == seq) {
                    return Optional.of(in.message());
                }
                before.accept(in);
            }
        }
        return Optional.empty();
    }

    /** {@link #reply} that fails the test when no reply comes. */
    static RpcMessage call(ResourceManager rm, RpcClient client, MessageId id, byte[] payload) {
        return reply(rm, client, id, payload, in -> {}).orElseThrow(() -> new AssertionError("no reply to " + id));
    }

    /** Sends one raw packet, lets the RM run, and reads what it answered so its queue never fills. */
    public void send(byte[] packet) {
        endpoint.sendRaw(packet);
        rm.step();
        endpoint.receive();
    }

    /** The RM answers a fresh VM_GET_VMID correctly, never faulted, and hlos still runs. */
    public void assertStillServes() {
        RpcMessage reply = reply(rm, new RpcClient(endpoint), MessageId.VM_GET_VMID, new byte[0], in -> {})
                .orElse(null);
        assertTrue(reply != null, "the RM stopped answering");
        assertEquals(0, reply.replyErrorCode());
        assertEquals(3, Le.u32(reply.replyData(), 0));
        assertEquals(0, rm.internalFaults(), "a handler hit an internal fault");
        assertEquals(VmState.RUNNING, rm.vm("hlos").orElseThrow().state());
    }
}
