package dev.gunyahdt.hypervisor.virtio;

import static dev.gunyahdt.hypervisor.virtio.VirtioMmioCalls.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.hypervisor.Builders;
import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.Hypervisor;
import dev.gunyahdt.hypervisor.call.HypError;
import dev.gunyahdt.hypervisor.call.VirtioMmioRights;
import dev.gunyahdt.hypervisor.cspace.CSpaceCalls;
import dev.gunyahdt.hypervisor.hypercall.ObjectCalls;
import dev.gunyahdt.hypervisor.memory.AddrSpace;
import dev.gunyahdt.hypervisor.memory.MemDb;
import dev.gunyahdt.hypervisor.memory.MemExtent;
import dev.gunyahdt.hypervisor.memory.MemoryCalls;
import dev.gunyahdt.hypervisor.partition.PartitionCalls;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * virtio-input (device type 18) on a virtio-mmio object: virtio_input_configure (0x605E) and virtio_input_set_data
 * (0x605F) as [HYP] {@code hyp/vm/virtio_input/src/hypercalls.c} does them, and the frontend's select / subsel
 * writes answered in the device config as {@code virtio_input.c} answers them.
 */
class VirtioInputTest {
    static final long PAGE = MemDb.PAGE;
    static final long FRAME = Hypervisor.DDR_BASE + 0x300_0000;
    static final long FE_IPA = 0x1000_0000L;
    /** Where the backend (here the root VM's flat memory) keeps the data it hands over. */
    static final long BUF = 0x100;

    final Fixture f = new Fixture(13);
    long me;
    long vio;
    AddrSpace fe;

    @BeforeEach
    void setUp() {
        me = Builders.extent(f, FRAME, PAGE, Builders.RW, MemExtent.BASIC);
        long feAs = Builders.addrspace(f, 45);
        f.ok(MemoryCalls.ADDRSPACE_MAP, feAs, me, FE_IPA, MemoryCalls.mapAttrs(4, 1), 0, 0, PAGE);
        fe = f.root.cspace().lookup(feAs, null, 0, false).as(AddrSpace.class);
        vio = f.create(PartitionCalls.CREATE_VIRTIO_MMIO);
    }

    void activateInput() {
        f.ok(CONFIGURE, vio, me, 2, FLAG_VALID_DEVICE_TYPE, DEVICE_TYPE_INPUT);
        f.ok(ObjectCalls.ACTIVATE, vio, 0);
    }

    HypError err(int call, long... in) {
        return f.call(call, in).error();
    }

    /** The backend's set_data with {@code data} placed at BUF in its memory. */
    HypError setData(long sel, long subsel, byte[] data) {
        assertTrue(f.root.memory().write(BUF, data));
        return err(INPUT_SET_DATA, vio, sel, subsel, data.length, BUF, 0);
    }

    /** The frontend selects; returns the {@code size} byte and that many bytes of {@code u}. */
    byte[] select(int sel, int subsel) {
        assertTrue(fe.write(FE_IPA + VirtioInput.SUBSEL, new byte[] {(byte) subsel}));
        assertTrue(fe.write(FE_IPA + VirtioInput.SELECT, new byte[] {(byte) sel}));
        int size = fe.read(FE_IPA + VirtioInput.SIZE, 1)[0] & 0xFF;
        return fe.read(FE_IPA + VirtioInput.U, size);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theBackendsConfigurationReachesTheFrontendThroughSelectAndSubsel() {
        activateInput();
        assertEquals(HypError.OK, err(INPUT_CONFIGURE, vio, 0x0001_0002_0003_0004L, 0x5, 2, 1, 0));
        assertEquals(HypError.OK, setData(INPUT_ID_NAME, 0, ascii("gunyah-keys")));
        assertEquals(HypError.OK, setData(INPUT_ID_SERIAL, 0, ascii("sn-1")));
        assertEquals(HypError.OK, setData(INPUT_EV_BITS, 1, new byte[] {(byte) 0xFE, (byte) 0xFF, 0x7F}));
        byte[] abs = new byte[20];
        abs[0] = 1;
        abs[19] = 9;
        assertEquals(HypError.OK, setData(INPUT_ABS_INFO, 0, Arrays.copyOf(abs, 12)));

        assertArrayEquals(ascii("gunyah-keys"), select(INPUT_ID_NAME, 0));
        assertArrayEquals(ascii("sn-1"), select(INPUT_ID_SERIAL, 0));
        assertArrayEquals(new byte[] {4, 0, 3, 0, 2, 0, 1, 0}, select(INPUT_ID_DEVIDS, 0));
        assertArrayEquals(new byte[] {5, 0, 0, 0}, select(INPUT_PROP_BITS, 0));
        assertArrayEquals(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x7F}, select(INPUT_EV_BITS, 1));
        // an axis info is always 20 bytes: the 12 given and zeros
        byte[] want = Arrays.copyOf(abs, 20);
        want[19] = 0;
        assertArrayEquals(want, select(INPUT_ABS_INFO, 0));
        // nothing for: a subsel nobody set, subsel ≠ 0 of the id selects, select 0 or an unknown one
        assertArrayEquals(new byte[0], select(INPUT_EV_BITS, 2));
        assertArrayEquals(new byte[0], select(INPUT_ID_NAME, 1));
        assertArrayEquals(new byte[0], select(0, 0));
        assertArrayEquals(new byte[0], select(0x13, 0));
        // set_data overwrites the low bytes of the device ids and property bits
        assertEquals(HypError.OK, setData(INPUT_ID_DEVIDS, 0, new byte[] {(byte) 0xAA}));
        assertArrayEquals(new byte[] {(byte) 0xAA, 0, 3, 0, 2, 0, 1, 0}, select(INPUT_ID_DEVIDS, 0));
        assertEquals(HypError.OK, setData(INPUT_PROP_BITS, 0, new byte[] {1, 2, 3, 4}));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, select(INPUT_PROP_BITS, 0));
        // a word write at select stores select and subsel, then faults on the size byte (read-only to the driver)
        assertFalse(fe.write(FE_IPA + VirtioInput.SELECT, new byte[] {INPUT_ID_NAME, 0, 0, 0}));
        assertEquals(11, fe.read(FE_IPA + VirtioInput.SIZE, 1)[0]);
        // anywhere else in the device config a byte write faults
        assertFalse(fe.write(FE_IPA + VirtioInput.U, new byte[] {1}));
    }

    @Test
    void configureRefusals() {
        // a plain virtio-mmio device is not virtio-input: OBJECT_CONFIG
        f.ok(CONFIGURE, vio, me, 1, 0, 0);
        f.ok(ObjectCalls.ACTIVATE, vio, 0);
        assertEquals(HypError.OBJECT_CONFIG, err(INPUT_CONFIGURE, vio, 0, 0, 1, 1, 0));
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, err(INPUT_SET_DATA, vio, INPUT_ID_NAME, 0, 1, BUF, 0));
    }

    @Test
    void configureChecksCountsAndSizesTheTablesOnce() {
        // CONFIG on an ACTIVE object; the res0 input
        long init = f.create(PartitionCalls.CREATE_VIRTIO_MMIO);
        assertEquals(HypError.OBJECT_STATE, err(INPUT_CONFIGURE, init, 0, 0, 1, 1, 0));
        activateInput();
        long bindOnly = f.ok(
                CSpaceCalls.COPY_CAP_FROM,
                f.hv.rootCSpaceCap(),
                vio,
                f.hv.rootCSpaceCap(),
                VirtioMmioRights.ASSERT_VIRQ,
                0);
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, err(INPUT_CONFIGURE, bindOnly, 0, 0, 1, 1, 0));
        assertEquals(HypError.CSPACE_INSUFFICIENT_RIGHTS, err(INPUT_SET_DATA, bindOnly, 1, 0, 1, BUF, 0));
        assertEquals(HypError.CSPACE_WRONG_OBJECT_TYPE, err(INPUT_CONFIGURE, me, 0, 0, 1, 1, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(INPUT_CONFIGURE, vio, 0, 0, 1, 1, 1));
        // at most 32 event types and 64 axes; the ids are stored before that check, as upstream
        assertEquals(HypError.ARGUMENT_INVALID, err(INPUT_CONFIGURE, vio, 0x77, 0, 33, 0, 0));
        assertArrayEquals(new byte[] {0x77, 0, 0, 0, 0, 0, 0, 0}, select(INPUT_ID_DEVIDS, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(INPUT_CONFIGURE, vio, 0, 0, 0, 65, 0));
        // set_data of a table configure did not size: ARGUMENT_INVALID
        assertEquals(HypError.ARGUMENT_INVALID, setData(INPUT_EV_BITS, 0, new byte[] {1}));
        assertEquals(HypError.ARGUMENT_INVALID, setData(INPUT_ABS_INFO, 0, new byte[] {1}));
        assertEquals(HypError.OK, err(INPUT_CONFIGURE, vio, 0, 0, 1, 0, 0));
        // sized once: asking again for event types is BUSY; zero counts are fine
        assertEquals(HypError.BUSY, err(INPUT_CONFIGURE, vio, 0, 0, 1, 0, 0));
        assertEquals(HypError.OK, err(INPUT_CONFIGURE, vio, 0, 0, 0, 0, 0));
        // the axis table likewise: sized by its first non-zero count, BUSY after
        assertEquals(HypError.OK, err(INPUT_CONFIGURE, vio, 0, 0, 0, 1, 0));
        assertEquals(HypError.BUSY, err(INPUT_CONFIGURE, vio, 0, 0, 0, 2, 0));
    }

    @Test
    void setDataRefusals() {
        activateInput();
        f.ok(INPUT_CONFIGURE, vio, 0, 0, 1, 1, 0);
        // subsel 0 only for the id selects; unknown selects
        assertEquals(HypError.ARGUMENT_INVALID, setData(INPUT_ID_NAME, 1, ascii("x")));
        assertEquals(HypError.ARGUMENT_INVALID, setData(INPUT_ID_DEVIDS, 1, new byte[] {1}));
        assertEquals(HypError.ARGUMENT_INVALID, setData(0, 0, new byte[] {1}));
        assertEquals(HypError.ARGUMENT_INVALID, setData(0x13, 0, new byte[] {1}));
        // subsel bounds of the tables
        assertEquals(HypError.ARGUMENT_INVALID, setData(INPUT_EV_BITS, 32, new byte[] {1}));
        assertEquals(HypError.ARGUMENT_INVALID, setData(INPUT_ABS_INFO, 64, new byte[] {1}));
        // sizes: 0, or more than the destination holds
        assertEquals(HypError.ARGUMENT_SIZE, err(INPUT_SET_DATA, vio, INPUT_ID_NAME, 0, 0, BUF, 0));
        assertEquals(HypError.ARGUMENT_SIZE, setData(INPUT_ID_NAME, 0, new byte[129]));
        assertEquals(HypError.ARGUMENT_SIZE, setData(INPUT_ID_DEVIDS, 0, new byte[9]));
        assertEquals(HypError.ARGUMENT_SIZE, setData(INPUT_PROP_BITS, 0, new byte[5]));
        assertEquals(HypError.ARGUMENT_SIZE, setData(INPUT_ABS_INFO, 0, new byte[21]));
        // the caller's buffer: wrapping the address space, then not mapped
        assertEquals(HypError.ADDR_OVERFLOW, err(INPUT_SET_DATA, vio, INPUT_ID_NAME, 0, 4, -2L, 0));
        assertEquals(HypError.ADDR_INVALID, err(INPUT_SET_DATA, vio, INPUT_ID_NAME, 0, 4, 1L << 20, 0));
        // a failed name copy leaves the name empty
        assertEquals(HypError.OK, setData(INPUT_ID_NAME, 0, ascii("kbd")));
        assertEquals(HypError.ADDR_INVALID, err(INPUT_SET_DATA, vio, INPUT_ID_NAME, 0, 4, 1L << 20, 0));
        assertArrayEquals(new byte[0], select(INPUT_ID_NAME, 0));
        // one entry per table here: the second is NORESOURCES
        assertEquals(HypError.OK, setData(INPUT_EV_BITS, 3, new byte[] {1}));
        assertEquals(HypError.NORESOURCES, setData(INPUT_EV_BITS, 4, new byte[] {1}));
        assertEquals(HypError.ARGUMENT_INVALID, err(INPUT_SET_DATA, vio, INPUT_ID_NAME, 0, 1, BUF, 1), "res0");
    }

    @Test
    void onlyDeviceType18IsValid() {
        assertEquals(HypError.ARGUMENT_INVALID, err(CONFIGURE, vio, me, 1, FLAG_VALID_DEVICE_TYPE, 0));
        assertEquals(HypError.ARGUMENT_INVALID, err(CONFIGURE, vio, me, 1, FLAG_VALID_DEVICE_TYPE, 2));
        // without the flag the type argument is ignored: a plain device
        f.ok(CONFIGURE, vio, me, 1, 0, DEVICE_TYPE_INPUT);
        f.ok(ObjectCalls.ACTIVATE, vio, 0);
        assertEquals(HypError.OBJECT_CONFIG, err(INPUT_CONFIGURE, vio, 0, 0, 0, 0, 0));
    }
}
