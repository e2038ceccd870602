package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.hypervisor.call.GuestMemory;
import dev.gunyahdt.hypervisor.device.Pl011;
import dev.gunyahdt.hypervisor.device.Pl011Nodes;
import java.util.ArrayList;
import java.util.List;

/**
 * What a PL011 driver's probe does with a passed-through UART ({@link Pl011Nodes} in the guest's tree): read the PrimeCell and peripheral IDs through the VM's own stage-2 mapping of the register block,
 * unmask the transmit interrupt, send one character and take the UART's SPI, clearing it in the handler.
 * A primary's UART is mapped by the RM from its config's iomemory-ranges, so failing to reach it is a problem;
 * a secondary's comes as an iomem vdevice whose device memory the owner lends by label and whose SPI it lends
 * (VM_IRQ_LEND), so it is read and its SPI taken too; an unreachable one is only noted (its owner may not lend it).
 */
final class UartProbe {
    /** The AMBA PrimeCell ID every PrimeCell peripheral answers (PCellID0..3). */
    static final long PRIMECELL_ID = 0xB105F00DL;

    private record Uart(String path, long base, int intid) {}

    private final GuestMemory memory;
    private final ProbeLog log;
    private final boolean mustReach;
    private final List<Uart> uarts;
    private int next;
    private Uart waiting;

    private UartProbe(GuestMemory memory, ProbeLog log, boolean mustReach, List<Uart> uarts) {
        this.memory = memory;
        this.log = log;
        this.mustReach = mustReach;
        this.uarts = uarts;
    }

    /** Adds the probe of each UART in {@code dtb} to {@code loop}; nothing when the tree has none. */
    static void addTo(GuestContext ctx, ProbeLog log, ActionLoop loop, DeviceTree dtb, boolean mustReach) {
        List<Uart> found = new ArrayList<>();
        for (Pl011Nodes.Found f : Pl011Nodes.find(dtb)) {
            found.add(new Uart(f.path(), f.base(), f.intid()));
        }
        if (found.isEmpty()) {
            return;
        }
        // request_irq of each UART's SPI (level, the PL011's line): a VIRQ the RM bound (the primary's) or one the
        // owner lends (a secondary's, accepted by LentIrqs) is taken only once the line is enabled
        found.forEach(u -> ActionLoop.configure(ctx, new GuestDt.Line(u.intid(), false)));
        UartProbe p = new UartProbe(ctx.memory(), log, mustReach, found);
        loop.onVirq(p::onVirq);
        loop.add(p::step);
    }

    /** One UART per call: probe it and kick its transmit interrupt, then wait for the SPI; true when all are done. */
    private boolean step() {
        if (waiting != null) {
            return false;
        }
        while (next < uarts.size()) {
            Uart u = uarts.get(next++);
            if (probe(u)) {
                waiting = u;
                return false;
            }
        }
        return true;
    }

    /** Reads the IDs; if they are a PL011's, unmasks TX and writes a character. Whether an SPI is now due. */
    private boolean probe(Uart u) {
        long cell = 0;
        int[] periph = new int[4];
        for (int i = 0; i < 8; i++) {
            Integer v = reg(u, Pl011.PERIPH_ID0 + 4 * i);
            if (v == null) {
                String why = u.path() + " at 0x" + Long.toHexString(u.base()) + ": not reachable through my mapping";
                if (mustReach) {
                    log.problem(why);
                } else {
                    log.note(why + " (its owner did not lend its device memory)");
                }
                return false;
            }
            if (i < 4) {
                periph[i] = v & 0xFF;
            } else {
                cell |= (long) (v & 0xFF) << (8 * (i - 4));
            }
        }
        int part = Pl011.partNumber(periph[0], periph[1]);
        if (cell != PRIMECELL_ID || part != 0x011) {
            log.problem(u.path() + ": PrimeCell ID 0x" + Long.toHexString(cell) + ", part 0x"
                    + Integer.toHexString(part) + " is not a PL011");
            return false;
        }
        log.note(u.path() + ": MMIO read at 0x" + Long.toHexString(u.base() + Pl011.PERIPH_ID0)
                + " through my mapping: PrimeCell ID 0x" + Long.toHexString(cell) + ", part 0x"
                + Integer.toHexString(part) + " (PL011)");
        write(u, Pl011.IMSC, Pl011.TX);
        write(u, Pl011.DR, 'U');
        return true;
    }

    /** The VIRQ handler: the UART's SPI (VIRQ = its INTID, as the RM maps HLOS's) → read UARTMIS, clear it. */
    private void onVirq(int intid) {
        if (waiting == null || intid != waiting.intid()) {
            return;
        }
        Integer mis = reg(waiting, Pl011.MIS);
        write(waiting, Pl011.ICR, Pl011.TX);
        log.note(waiting.path() + ": SPI " + intid + " taken (UARTMIS 0x" + Integer.toHexString(mis == null ? 0 : mis)
                + ", transmit done), cleared");
        waiting = null;
    }

    private Integer reg(Uart u, int offset) {
        byte[] b = memory.read(u.base() + offset, 4);
        return b == null ? null : (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | b[3] << 24;
    }

    private void write(Uart u, int offset, int value) {
        memory.write(
                u.base() + offset,
                new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
    }
}
