package dev.gunyahdt.dt.dtb;

/** The flattened-devicetree format's constants, shared by the blob reader, writer and the overlay editor. */
public final class Fdt {
    public static final int MAGIC = 0xd00dfeed;

    public static final int BEGIN_NODE = 1;
    public static final int END_NODE = 2;
    public static final int PROP = 3;
    public static final int NOP = 4;
    public static final int END = 9;

    /** Header field offsets. */
    public static final int OFF_TOTALSIZE = 4;

    public static final int OFF_DT_STRUCT = 8;
    public static final int OFF_DT_STRINGS = 12;
    public static final int OFF_MEM_RSVMAP = 16;
    public static final int OFF_VERSION = 20;
    public static final int OFF_LAST_COMP_VERSION = 24;
    public static final int OFF_BOOT_CPUID = 28; // from version 2
    public static final int OFF_SIZE_DT_STRINGS = 32; // from version 3
    public static final int OFF_SIZE_DT_STRUCT = 36; // from version 17

    /** One memory-reserve entry: 64-bit address and size. */
    public static final int RSV_ENTRY = 16;

    /** Versions before 16 name nodes by full path and carry a "name" property. */
    public static final int FIRST_COMPACT_VERSION = 16;

    private Fdt() {}

    /** Bytes of header that a blob of this version defines. */
    static int headerSize(int version) {
        if (version <= 1) {
            return 28;
        }
        if (version == 2) {
            return 32;
        }
        if (version < 17) {
            return 36;
        }
        return 40;
    }

    static int align(int n, int to) {
        return (n + to - 1) & -to;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
