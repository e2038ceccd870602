package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.vcpu.Vcpu;
import java.util.ArrayList;
import java.util.List;

/**
 * What a driver of the VMM's register file ({@link VmmRegs}, a root node {@code compatible = "gunyah-dt,vmm-regs"}
 * its owner put in its DT) does: read the ID register, write a scratch register and read it back. Nothing maps the
 * page, so on a proxy-scheduled vCPU each access stops it in its owner's vcpu_run (ADDRSPACE_VMMIO_READ / _WRITE)
 * and completes with what the owner answers: when an access has not completed yet, this step ends there and the
 * same access is issued again on the next one ({@link Vcpu#accessUnfinished()}). A failed access (no VMMIO: it
 * faults) or a wrong value is a problem: the owner said the device is there.
 */
final class VmmRegsProbe {
    /** The scratch register the probe writes and reads back. */
    static final int SCRATCH = 0x10;

    private final GuestMemory memory;
    private final Vcpu self;
    private final ProbeLog log;
    private final String path;
    private final long base;
    private final long pattern;
    private int done;
    private long id;

    private VmmRegsProbe(GuestContext ctx, ProbeLog log, String path, long base, long pattern) {
        this.memory = ctx.memory();
        this.self = ctx.boot();
        this.log = log;
        this.path = path;
        this.base = base;
        this.pattern = pattern;
    }

    /** Adds the probe of each such node in {@code dtb} to {@code loop}; {@code pattern} is what it writes. */
    static void addTo(GuestContext ctx, ProbeLog log, ActionLoop loop, DeviceTree dtb, long pattern) {
        List<long[]> found = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        NodeCursor root = NodeCursor.root(dtb.root());
        int ac = (int) root.node()
                .property("#address-cells")
                .map(p -> p.value().asCell())
                .orElse(2L)
                .longValue();
        for (NodeCursor c : root.children()) {
            boolean mine = c.node()
                    .property("compatible")
                    .map(p -> p.value().asStrings())
                    .orElse(List.of())
                    .contains(VmmRegs.COMPATIBLE);
            long[] reg = c.node().property("reg").map(p -> p.value().cells()).orElse(new long[0]);
            if (mine && reg.length >= ac && ac >= 1 && ac <= 2) {
                found.add(new long[] {ac == 2 ? reg[0] << 32 | reg[1] : reg[0]});
                paths.add(c.path());
            }
        }
        for (int i = 0; i < found.size(); i++) {
            loop.add(new VmmRegsProbe(ctx, log, paths.get(i), found.get(i)[0], pattern)::step);
        }
    }

    /** One access per call, in order: ID read, scratch write, scratch read; true when done (or failed). */
    private boolean step() {
        while (done < 3) {
            boolean write = done == 1;
            int offset = done == 0 ? 0 : SCRATCH;
            byte[] got = write ? null : memory.read(base + offset, 4);
            boolean ok = write ? memory.write(base + offset, le(pattern)) : got != null;
            if (!ok && self.accessUnfinished()) {
                return false; // stopped in my owner's vcpu_run: the same access again next time
            }
            if (!ok) {
                log.problem(path + " at 0x" + Long.toHexString(base + offset) + ": the access faulted");
                return true;
            }
            long v = got == null
                    ? 0
                    : (got[0] & 0xFFL) | (got[1] & 0xFFL) << 8 | (got[2] & 0xFFL) << 16 | (got[3] & 0xFFL) << 24;
            if (done == 0) {
                id = v;
            } else if (done == 2) {
                if (id != VmmRegs.ID || v != pattern) {
                    log.problem(path + ": ID 0x" + Long.toHexString(id) + ", scratch read back 0x" + Long.toHexString(v)
                            + " (wrote 0x" + Long.toHexString(pattern) + ")");
                } else {
                    log.note(path + ": ID 0x" + Long.toHexString(id) + ", wrote 0x" + Long.toHexString(pattern)
                            + " to register 0x" + Integer.toHexString(SCRATCH)
                            + " and read it back: my owner emulates it (VMMIO)");
                }
            }
            done++;
        }
        return true;
    }

    private static byte[] le(long v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }
}
