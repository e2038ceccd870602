package dev.gunyahdt.hypervisor.rm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.dtb.DtbReader;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.rm.rpc.MessageId;
import dev.gunyahdt.hypervisor.rm.rpc.RpcClient;
import dev.gunyahdt.hypervisor.rm.rpc.RpcMessage;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A secondary VM's whole life driven over RPC by hand as its owner (crosvm's part): the owner lends the VM's memory
 * (its DT inside), the vCPU appears at VM_INIT and the RAM (the accepted parcel) at VM_START, VM_STOP kills the
 * vCPU, VM_RESET releases the parcel and deletes the vCPU (and the owner's copy), MEM_RECLAIM gives the memory
 * back to the owner, and the VM can be configured again.
 */
class RmVmTeardownTest {
    private static final long MEMORY = 0x8000_0000L;
    private final List<GuestSeat> seats = new ArrayList<>();
    private final Hypervisor hv = new Hypervisor(4);
    private ResourceManager rm;
    private RpcClient hlos;

    private RpcMessage call(MessageId id, byte[] payload) {
        return RpcSeat.call(rm, hlos, id, payload);
    }

    private long ok(MessageId id, byte[] payload) {
        RpcMessage r = call(id, payload);
        assertEquals(0, r.replyErrorCode(), id.toString());
        return r.replyData().length >= 4 ? new Wire.Reader(r.replyData()).u32() : -1;
    }

    private static byte[] vmid(int vmid) {
        return Wire.writer().u16(vmid).u16(0).build();
    }

    private List<Vcpu> vcpusOf(int vmid) {
        return hv.objects().stream()
                .filter(o -> o instanceof Vcpu)
                .map(o -> (Vcpu) o)
                .filter(v -> ((AddrSpace) v.caller().memory()).vmid() == vmid)
                .toList();
    }

    private int lendImage(byte[] dt) {
        assertTrue(seats.get(0).memory().write(MEMORY + ResourceManager.DT_OFFSET, dt));
        return (int) ok(MessageId.MEM_LEND, RpcSeat.memLend(0x80, MEMORY, 0x10000000L));
    }

    private void configure(int handle, byte[] dt) {
        ok(
                MessageId.VM_CONFIG_IMAGE,
                Wire.writer()
                        .u16(0x80)
                        .u16(0)
                        .u32(handle)
                        .u64(0)
                        .u64(0)
                        .u64(ResourceManager.DT_OFFSET)
                        .u64(dt.length)
                        .build());
        ok(MessageId.VM_INIT, vmid(0x80));
    }

    @Test
    void stopResetAndReclaimGiveEverythingBack() {
        life("", () -> {}, () -> {});
    }

    /** handle_virtio_mmio_destruction: the reset frontend's device goes, with HLOS's cap, VIRQ and mappings. */
    @Test
    void aResetFrontendTakesItsVirtioDeviceWithIt() {
        java.util.function.Supplier<Long> devices = () -> hv.objects().stream()
                .filter(o -> o.type() == dev.gunyahdt.hypervisor.object.ObjectType.VIRTIO_MMIO)
                .count();
        life(
                RmVirtioTest.VIRTIO,
                () -> {
                    assertEquals(1, devices.get());
                    assertNotNull(seats.get(0).memory().read(0x3000_0000L, 4), "HLOS maps the register page");
                    assertNotNull(seats.get(0).memory().read(0xa020_0000L, 4), "and the DMA pool");
                },
                () -> {
                    assertEquals(0, devices.get(), "the RM's and HLOS's caps are gone, so is the object");
                    assertNull(seats.get(0).memory().read(0x3000_0000L, 4));
                    assertNotNull(seats.get(0).memory().read(0xa020_0000L, 4), "the pool is hlos's own memory");
                });
        assertEquals(1, devices.get(), "configured afresh, the VM has its device again");
        assertNotNull(
                seats.get(0).memory().read(0x3000_0000L, 4),
                "at the same HLOS page: the reset gave it back to HLOS's virtio window");
    }

    private void life(String svm1Vdevices, Runnable afterStart, Runnable afterReset) {
        Started st = start(svm1Vdevices, false);
        Vcpu v = st.vcpu();
        afterStart.run();

        ok(MessageId.VM_STOP, Wire.writer().u16(0x80).u8(1).u8(0).u32(0).build()); // force
        assertEquals(VmState.EXITED, rm.vm(0x80).orElseThrow().state());
        assertFalse(v.poweredOn(), "killed");

        ok(MessageId.VM_RESET, vmid(0x80));
        assertEquals(VmState.RESET, rm.vm(0x80).orElseThrow().state());
        assertEquals(List.of(), vcpusOf(0x80), "the vCPU object is gone (RM's master and hlos's copy deleted)");
        assertSame(st.parcel(), hv.memdb().ownerOf(MEMORY), "released, not yet reclaimed");
        assertTrue(rm.memparcels().get(0).accepted().isEmpty());
        afterReset.run();

        ok(
                MessageId.MEM_RECLAIM,
                Wire.writer().u32(st.handle()).u8(0).u8(0).u8(0).u8(0).build());
        assertSame(st.held(), hv.memdb().ownerOf(MEMORY), "reclaimed: the pages are the owner's again");
        assertNotNull(st.hlosMemory().read(MEMORY + ResourceManager.DT_OFFSET, 4), "and its access with them");

        configure(lendImage(st.image()), st.image()); // a reset VM is configured afresh
        assertEquals(VmState.READY, rm.vm(0x80).orElseThrow().state());
        assertEquals(1, vcpusOf(0x80).size());
        assertEquals(0, rm.internalFaults());
    }

    private record Started(Vcpu vcpu, int handle, Object held, Object parcel, GuestMemory hlosMemory, byte[] image) {}

    /** hlos allocates svm1, lends it its memory with its DT, configures, inits and starts it. */
    private Started start(String svm1Vdevices, boolean psci) {
        SystemConfig sys = SystemConfig.read(
                "system.dtb",
                DtbReader.read(
                        Configs.compile(Configs.system(
                                Configs.tableEntry("hlos", 3, true, 0x40000000L, 0x40000000L),
                                Configs.tableEntry("svm1", 0x80, false, 0x80000000L, 0x10000000L),
                                svm1Vdevices.isEmpty() ? "" : RmVirtioTest.POOL_SVM1)),
                        "system.dtb"));
        String rpc = "generate = \"/hypervisor/qcom,resource-mgr\"; console-dev;"; // the real RM crashes without
        byte[] primary = Configs.compile(Configs.vm("hlos", 0x40000000L, 0x40000000L, rpc, "", ""));
        String svm1Source = Configs.vm("svm1", 0x80000000L, 0x10000000L, rpc, svm1Vdevices, psci ? PSCI : "");
        byte[] svm1 = Configs.compile(psci ? svm1Source.replace("enable-method = \"psci\";", IDLE_CPU) : svm1Source);
        rm = ResourceManager.boot(hv, sys, Platform.QEMU, primary, RpcSeat.collecting(seats), () -> 0);
        GuestSeat seat = seats.get(0);
        hlos = RpcSeat.client(hv, seat, rm.vm("hlos").orElseThrow().guestDtb().orElseThrow());
        GuestMemory hlosMemory = seat.memory();
        Object held = hv.memdb().ownerOf(MEMORY); // the memory the RM gave hlos at boot to lend svm1

        assertEquals(0x80, ok(MessageId.VM_ALLOCATE, vmid(0)));
        int handle = lendImage(svm1);
        assertNull(hlosMemory.read(MEMORY + ResourceManager.DT_OFFSET, 4), "lent: the owner lost the pages");
        Object parcel = hv.memdb().ownerOf(MEMORY);
        assertNotSame(held, parcel, "the pages are the memparcel's extent's");
        configure(handle, svm1);
        assertEquals(1, vcpusOf(0x80).size());
        if (!svm1Vdevices.isEmpty()) { // hlos shares the virtio DMA pool under the device's label; VM_START accepts it
            ok(MessageId.MEM_SHARE, RmVirtioTest.poolShare(0x80));
        }
        ok(MessageId.VM_START, vmid(0x80));
        Vcpu v = vcpusOf(0x80).get(0);
        assertTrue(v.poweredOn());
        assertNotNull(v.caller().memory().read(MEMORY + ResourceManager.DT_OFFSET, 4), "accepted at its base");
        assertEquals(VmState.RUNNING, rm.vm(0x80).orElseThrow().state());
        return new Started(v, handle, held, parcel, hlosMemory, svm1);
    }

    /** The NOTIFY_VM_EXITED payloads hlos receives while the RM's vCPU runs (it takes the HALT VIRQs). */
    private List<byte[]> exits() {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            hv.scheduler().runRound(1_000_000);
            for (RpcClient.Incoming in : hlos.poll()) {
                if (!in.isReply() && in.message().messageId() == MessageId.NOTIFY_VM_EXITED.id()) {
                    out.add(in.message().payload());
                }
            }
        }
        return out;
    }

    private static final long FN32 = 0x8400_0000L, FN64 = 0xC400_0000L;

    /** A psci node and an idle state, so svm1's one vCPU joins a VPM group (enable_vpm_psci; parse_vcpus). */
    private static final String PSCI = "psci { compatible = \"arm,psci-1.0\"; method = \"smc\"; };\n"
            + "idle-states { entry-method = \"psci\"; sleep: cpu-sleep { compatible = \"arm,idle-state\";"
            + " arm,psci-suspend-param = <1>; entry-latency-us = <40>; exit-latency-us = <100>;"
            + " min-residency-us = <150>; }; };\n";

    private static final String IDLE_CPU = "enable-method = \"psci\"; cpu-idle-states = <&sleep>;";

    /**
     * vcpu_halt_callback: PSCI SYSTEM_OFF / SYSTEM_RESET / SYSTEM_RESET2 halt the calling vCPU (a forced poweroff,
     * the only poweroff that raises its HALT VIRQ); the RM reads vcpu_run_check and the VM exits with the matching
     * exit type, its owner told so: {vmid, type, reason size, flags | code << 16, extra reason words}.
     */
    private void exitsAfter(String want, long... psciCall) {
        Started st = start("", true);
        assertEquals(List.of(), exits());
        hv.smc(st.vcpu().caller(), dev.gunyahdt.hypervisor.call.HvcArgs.of(psciCall));
        List<byte[]> got = exits();
        assertEquals(1, got.size(), "one NOTIFY_VM_EXITED");
        assertEquals(want, hex(got.get(0)));
        assertEquals(VmState.EXITED, rm.vm(0x80).orElseThrow().state());
        assertEquals(0, rm.internalFaults());
    }

    @Test
    void systemOffExitsTheVmAsPlatformOff() {
        exitsAfter("80 00 01 00 04 00 00 00 00 00 00 00", FN32 | 0x8);
    }

    @Test
    void systemResetExitsTheVmAsPlatformReset() {
        exitsAfter("80 00 02 00 04 00 00 00 00 00 00 00", FN32 | 0x9);
    }

    @Test
    void systemReset2ReportsItsTypeAndCookieFlaggedSixtyFourBitFromAnSmc64Call() {
        exitsAfter(
                "80 00 03 00 10 00 00 00 00 80 00 00 01 00 00 80 88 77 66 55 44 33 22 11",
                FN64 | 0x12,
                0x8000_0001L,
                0x1122_3344_5566_7788L);
    }

    @Test
    void systemReset2FromAnSmc32CallKeepsTheCookiesLowWord() {
        exitsAfter(
                "80 00 03 00 10 00 00 00 00 00 00 00 01 00 00 80 88 77 66 55 00 00 00 00",
                FN32 | 0x12,
                0x8000_0001L,
                0x1122_3344_5566_7788L);
    }

    @Test
    void theLastVcpusCpuOffIsDeniedAndNothingExits() {
        Started st = start("", true);
        long denied = hv.smc(st.vcpu().caller(), dev.gunyahdt.hypervisor.call.HvcArgs.of(FN32 | 0x2))
                .x0();
        assertEquals(0xFFFF_FFFDL, denied, "PSCI DENIED: the group's last vCPU (psci_handle_vcpu_poweroff)");
        assertTrue(st.vcpu().poweredOn());
        assertEquals(List.of(), exits());
        assertEquals(VmState.RUNNING, rm.vm(0x80).orElseThrow().state());
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02x", x & 0xFF));
        }
        return s.toString();
    }
}
