package dev.gunyahdt.dt.dtb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.diag.DtException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Corrupt blobs, each made from the valid sample.dtb by one reviewable change, must be refused
 * with a DtException saying where and what.
 *
 * <p>sample.dtb layout: header 0x00-0x28, reserve map 0x28-0x58 (two entries and the
 * terminator), structure block 0x58-0x150 (size 0xf8, END at 0x14c, the root's END_NODE at
 * 0x148), strings block 0x150-0x18c (size 0x3c). The first PROP is at 0x60 (struct 0x8), its
 * name offset at 0x68; node@1's BEGIN_NODE is at 0xbc (struct 0x64) with its name at 0xc0.
 */
class DtbCorruptTest {

    private static final byte[] SAMPLE = Samples.golden("sample.dtb");

    private record Case(String what, byte[] blob, String expected) {}

    private static byte[] set32(byte[] b, int off, long v) {
        byte[] c = b.clone();
        c[off] = (byte) (v >>> 24);
        c[off + 1] = (byte) (v >>> 16);
        c[off + 2] = (byte) (v >>> 8);
        c[off + 3] = (byte) v;
        return c;
    }

    private static byte[] set8(byte[] b, int off, int v) {
        byte[] c = b.clone();
        c[off] = (byte) v;
        return c;
    }

    private static byte[] cut(byte[] b, int n) {
        return Arrays.copyOf(b, n);
    }

    /** Cut to {@code n} bytes and say so in totalsize, so the header is consistent but blocks run past. */
    private static byte[] shrink(byte[] b, int n) {
        return n < 8 ? cut(b, n) : set32(cut(b, n), 4, n);
    }

    /** A v17 blob from raw structure tokens and a strings block, with an empty reserve map. */
    static byte[] blob(byte[] struct, byte[] strings) {
        int structOff = 0x38;
        int stringsOff = structOff + struct.length;
        int total = stringsOff + strings.length;
        byte[] b = new byte[total];
        b = set32(b, 0, 0xd00dfeedL);
        b = set32(b, 4, total);
        b = set32(b, 8, structOff);
        b = set32(b, 12, stringsOff);
        b = set32(b, 16, 0x28);
        b = set32(b, 20, 17);
        b = set32(b, 24, 16);
        b = set32(b, 32, strings.length);
        b = set32(b, 36, struct.length);
        System.arraycopy(struct, 0, b, structOff, struct.length);
        System.arraycopy(strings, 0, b, stringsOff, strings.length);
        return b;
    }

    /** A structure block of {@code depth} nested nodes named "n" (the root unnamed), then END. */
    static byte[] nested(int depth) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
            word(s, Fdt.BEGIN_NODE);
            word(s, i == 0 ? 0 : 0x6e000000); // "" or "n", NUL-padded to 4
        }
        for (int i = 0; i < depth; i++) {
            word(s, Fdt.END_NODE);
        }
        word(s, Fdt.END);
        return s.toByteArray();
    }

    static void word(ByteArrayOutputStream s, int v) {
        s.write(v >>> 24);
        s.write(v >>> 16);
        s.write(v >>> 8);
        s.write(v);
    }

    private static List<Case> cases() {
        byte[] s = SAMPLE;
        List<Case> c = new ArrayList<>();
        // truncated at many offsets: totalsize then claims more than there is
        for (int n : new int[] {0, 3, 7}) {
            c.add(new Case("cut to " + n + " bytes", cut(s, n), "too short for a header"));
        }
        for (int n : new int[] {8, 20, 27, 39, 40, 0x48, 0x57, 0x58, 0x5c, 0x100, 0x14f, 0x150, 0x18b}) {
            c.add(new Case(
                    "cut to " + Fdt.hex(n) + " bytes",
                    cut(s, n),
                    "totalsize 0x18c (header offset 0x4) is larger than the blob (" + Fdt.hex(n) + " bytes)"));
        }
        // cut with a consistent totalsize: the blocks now run past it
        c.add(new Case(
                "shrunk into the strings block",
                shrink(s, 0x180),
                "strings block at 0x150 with size 0x3c (header offset 0x20) runs past totalsize 0x180"));
        c.add(new Case(
                "shrunk into the structure block",
                shrink(s, 0x100),
                "strings block offset 0x150 (header offset 0xc) is outside 0x28..0x100"));
        c.add(new Case(
                "shrunk to the header",
                shrink(s, 0x28),
                "structure block offset 0x58 (header offset 0x8) is outside 0x28..0x28"));
        c.add(new Case("shrunk below the header", shrink(s, 0x20), "is smaller than the version 17 header"));
        c.add(new Case("shrunk to 0x10", shrink(s, 0x10), "totalsize 0x10 (header offset 0x4) is too small"));
        // magic
        c.add(new Case("zero magic", set32(s, 0, 0), "bad magic 0x0 at offset 0x0"));
        c.add(new Case("byte-swapped magic", set32(s, 0, 0xedfe0dd0L), "bad magic 0xedfe0dd0"));
        c.add(new Case("magic off by one", set32(s, 0, 0xd00dfeeeL), "bad magic 0xd00dfeee"));
        // totalsize
        c.add(new Case("totalsize 0", set32(s, 4, 0), "totalsize 0x0 (header offset 0x4) is too small"));
        c.add(new Case(
                "totalsize huge", set32(s, 4, 0xffffffffL), "totalsize 0xffffffff (header offset 0x4) is larger"));
        c.add(new Case("totalsize 2 GiB", set32(s, 4, 0x7fffffffL), "is larger than the blob (0x18c bytes)"));
        // version
        for (long v : new long[] {0, 4, 15}) {
            c.add(new Case("version " + v, set32(s, 20, v), "unsupported version " + v + " (header offset 0x14)"));
        }
        // structure block offset
        c.add(new Case(
                "struct offset 0",
                set32(s, 8, 0),
                "structure block offset 0x0 (header offset 0x8) is outside 0x28..0x18c"));
        c.add(new Case("struct offset in header", set32(s, 8, 0x10), "structure block offset 0x10"));
        c.add(new Case("struct offset huge", set32(s, 8, 0xffffffffL), "structure block offset 0xffffffff"));
        c.add(new Case("struct offset past end", set32(s, 8, 0x18d), "structure block offset 0x18d"));
        c.add(new Case(
                "struct misaligned by 1",
                set32(s, 8, 0x59),
                "structure block offset 0x59 (header offset 0x8) is not 4-byte aligned"));
        c.add(new Case("struct misaligned by 2", set32(s, 8, 0x5a), "is not 4-byte aligned"));
        // strings block offset and size
        c.add(new Case("strings offset 0", set32(s, 12, 0), "strings block offset 0x0 (header offset 0xc) is outside"));
        c.add(new Case("strings offset huge", set32(s, 12, 0xffffffffL), "strings block offset 0xffffffff"));
        c.add(new Case(
                "strings offset at end",
                set32(s, 12, 0x18c),
                "strings block at 0x18c with size 0x3c (header offset 0x20) runs past"));
        c.add(new Case("strings size huge", set32(s, 32, 0xffffffffL), "strings block at 0x150 with size 0xffffffff"));
        c.add(
                new Case(
                        "strings size 0",
                        set32(s, 32, 0),
                        "property at struct offset 0x8 (blob offset 0x60): name offset 0x0 is outside the strings block (size 0x0)"));
        c.add(new Case(
                "last string unterminated",
                set32(s, 32, 0x3b),
                "name at strings offset 0x38 has no NUL before the end of the strings block"));
        // reserve map
        c.add(new Case(
                "rsvmap offset 0", set32(s, 16, 0), "memory reserve map offset 0x0 (header offset 0x10) is outside"));
        c.add(new Case("rsvmap offset huge", set32(s, 16, 0xffffffffL), "memory reserve map offset 0xffffffff"));
        c.add(
                new Case(
                        "rsvmap without terminator",
                        set32(s, 16, 0x180),
                        "memory reserve map at 0x180 has no terminating entry before totalsize 0x18c (entry at 0x180 is cut off)"));
        c.add(new Case(
                "rsvmap terminator overwritten",
                set8(set32(s, 16, 0x170), 0x18b, 1),
                "memory reserve map at 0x170 has no terminating entry"));
        // overlapping blocks
        c.add(new Case(
                "struct over the reserve map",
                set32(s, 8, 0x48),
                "memory reserve map 0x28..0x58 overlaps structure block 0x48..0x140"));
        c.add(new Case(
                "rsvmap inside struct",
                set32(set32(set32(set32(set32(s, 16, 0x140), 0x140, 0), 0x144, 0), 0x148, 0), 0x14c, 0),
                "overlaps structure block 0x58..0x150"));
        c.add(new Case(
                "strings over struct",
                set32(set32(s, 12, 0x140), 32, 0x10),
                "structure block 0x58..0x150 overlaps strings block 0x140..0x150"));
        c.add(new Case(
                "struct size into strings",
                set32(s, 36, 0x100),
                "structure block 0x58..0x158 overlaps strings block 0x150..0x18c"));
        // structure block size
        c.add(new Case(
                "struct size huge",
                set32(s, 36, 0xffffffffL),
                "structure block at 0x58 with size 0xffffffff (header offset 0x24) runs past totalsize 0x18c"));
        c.add(new Case(
                "struct size 0",
                set32(s, 36, 0),
                "token at struct offset 0x0 (blob offset 0x58) runs past the end of the structure block (size 0x0)"));
        c.add(
                new Case(
                        "struct size cuts off END",
                        set32(s, 36, 0xf4),
                        "token at struct offset 0xf4 (blob offset 0x14c) runs past the end of the structure block (size 0xf4)"));
        c.add(
                new Case(
                        "struct size cuts a property",
                        set32(s, 36, 0x14),
                        "property at struct offset 0x8 (blob offset 0x60): length 0x4 runs past the end of the structure block (size 0x14)"));
        c.add(
                new Case(
                        "struct size cuts a property header",
                        set32(s, 36, 0xc),
                        "property length at struct offset 0xc (blob offset 0x64) runs past the end of the structure block (size 0xc)"));
        c.add(new Case(
                "struct size cuts a node name",
                set32(s, 36, 0x6a),
                "node name at struct offset 0x68 (blob offset 0xc0) has no NUL before the end of the structure block"));
        // properties
        c.add(
                new Case(
                        "property length huge",
                        set32(s, 0x64, 0xffff0000L),
                        "property at struct offset 0x8 (blob offset 0x60): length 0xffff0000 runs past the end of the structure block (size 0xf8)"));
        c.add(new Case("property length 2 GiB", set32(s, 0x64, 0x7fffffffL), "length 0x7fffffff runs past"));
        c.add(new Case("property length just past", set32(s, 0x64, 0xe9), "length 0xe9 runs past"));
        c.add(new Case(
                "name offset at strings end",
                set32(s, 0x68, 0x3c),
                "name offset 0x3c is outside the strings block (size 0x3c)"));
        c.add(new Case(
                "name offset huge",
                set32(s, 0x68, 0xffffffffL),
                "name offset 0xffffffff is outside the strings block"));
        // tokens and nesting
        c.add(new Case(
                "unknown token 5", set32(s, 0x60, 5), "unknown token 0x5 at struct offset 0x8 (blob offset 0x60)"));
        c.add(new Case("unknown token all ones", set32(s, 0x60, 0xffffffffL), "unknown token 0xffffffff"));
        c.add(new Case(
                "first token is END",
                set32(s, 0x58, Fdt.END),
                "END at struct offset 0x0 (blob offset 0x58) before any root node"));
        c.add(new Case(
                "first token is PROP",
                set32(s, 0x58, Fdt.PROP),
                "property at struct offset 0x0 (blob offset 0x58) is outside any node"));
        c.add(new Case(
                "first token is END_NODE",
                set32(s, 0x58, Fdt.END_NODE),
                "END_NODE at struct offset 0x0 (blob offset 0x58) has no node to close"));
        c.add(new Case(
                "missing END",
                set32(s, 0x14c, Fdt.NOP),
                "token at struct offset 0xf8 (blob offset 0x150) runs past the end"));
        c.add(new Case(
                "extra END_NODE",
                set32(s, 0x14c, Fdt.END_NODE),
                "END_NODE at struct offset 0xf4 (blob offset 0x14c) has no node to close"));
        c.add(new Case(
                "missing END_NODE",
                set32(s, 0x148, Fdt.NOP),
                "END at struct offset 0xf4 (blob offset 0x14c) inside node \"\" (1 END_NODE missing)"));
        c.add(new Case(
                "second root",
                set32(s, 0x14c, Fdt.BEGIN_NODE),
                "node at struct offset 0xf4 (blob offset 0x14c) follows the end of the root node"));
        c.add(new Case(
                "root with a name",
                set8(s, 0x5c, 'r'),
                "root node at struct offset 0x0 (blob offset 0x58) has name \"r\" (must be empty)"));
        c.add(new Case(
                "empty child name",
                set8(s, 0xc0, 0),
                "node at struct offset 0x64 (blob offset 0xbc) inside \"\" has an empty name"));
        c.add(new Case(
                "nesting too deep",
                blob(nested(DtbReader.MAX_DEPTH + 1), new byte[0]),
                "nests deeper than 4096 levels"));
        // old versions: full paths
        byte[] v1 = Samples.golden("sample-v1.dtb");
        c.add(new Case(
                "v1 root not /",
                set8(v1, 0x54, 'q'),
                "root node at struct offset 0x0 (blob offset 0x50) has path \"q\" (must be \"/\")"));
        c.add(new Case(
                "v1 child path with wrong parent",
                set8(v1, 0x125, 'x'),
                "path \"/xode@1/child\" is not valid as a child of \"/node@1\""));
        c.add(new Case(
                "v1 child path with extra component",
                set8(v1, 0x12d, '/'),
                "path \"/node@1/c/ild\" is not valid as a child of \"/node@1\""));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> eachCorruptBlobIsRefusedWithItsReason() {
        List<Case> all = cases();
        assertTrue(all.size() >= 50, "have " + all.size() + " cases");
        return all.stream()
                .map(k -> DynamicTest.dynamicTest(k.what(), () -> {
                    DtException e = assertThrows(DtException.class, () -> DtbReader.read(k.blob(), "x.dtb"));
                    assertTrue(e.getMessage().startsWith("x.dtb: bad dtb: "), e.getMessage());
                    assertTrue(
                            e.getMessage().contains(k.expected()),
                            "message: " + e.getMessage() + "\nexpected to contain: " + k.expected());
                }));
    }

    @Test
    void nestingAtTheLimitIsAccepted() {
        DeviceTree t = DtbReader.read(blob(nested(DtbReader.MAX_DEPTH), new byte[0]), "deep.dtb");
        int depth = 1;
        for (var n = t.root(); !n.children().isEmpty(); n = n.children().get(0)) {
            depth++;
        }
        assertEquals(DtbReader.MAX_DEPTH, depth);
    }

    @Test
    void hugeCountsDoNotAllocate() {
        // A struct block of 2^20 NOPs is walked without trouble; no size is trusted before a check.
        byte[] nops = new byte[4 << 20];
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        word(head, Fdt.BEGIN_NODE);
        word(head, 0);
        byte[] h = head.toByteArray();
        System.arraycopy(h, 0, nops, 0, h.length);
        for (int i = 8; i < nops.length - 8; i += 4) {
            nops[i + 3] = Fdt.NOP;
        }
        nops[nops.length - 5] = Fdt.END_NODE;
        nops[nops.length - 1] = Fdt.END;
        DeviceTree t = DtbReader.read(blob(nops, new byte[0]), "nops.dtb");
        assertTrue(t.root().children().isEmpty() && t.root().properties().isEmpty());
    }

    /**
     * Every single-byte change and every truncation of the sample either reads or fails with a
     * DtException: nothing else escapes.
     */
    @Test
    void everyMutationEitherReadsOrFailsCleanly() {
        int refused = 0;
        List<byte[]> blobs = new ArrayList<>();
        for (int n = 0; n < SAMPLE.length; n++) {
            blobs.add(cut(SAMPLE, n));
            blobs.add(shrink(SAMPLE, n));
        }
        for (int i = 0; i < SAMPLE.length; i++) {
            for (int v : new int[] {0, 0xff, 0x80, SAMPLE[i] + 1, SAMPLE[i] ^ 0x10}) {
                blobs.add(set8(SAMPLE, i, v));
            }
        }
        for (byte[] b : blobs) {
            try {
                DtbReader.read(b, "m.dtb");
            } catch (DtException e) {
                refused++;
            } catch (RuntimeException e) {
                fail("unexpected " + e + " for blob " + Samples.hexDump(b));
            }
        }
        assertTrue(refused > SAMPLE.length, "refused " + refused);
    }

    @Test
    void messagesNameTheSource() {
        DtException e = assertThrows(DtException.class, () -> DtbReader.read(new byte[3], null));
        assertEquals("dtb: bad dtb: blob is 3 bytes, too short for a header", e.getMessage());
        e = assertThrows(
                DtException.class, () -> DtbReader.read("not a blob".getBytes(StandardCharsets.US_ASCII), "a.dtb"));
        assertEquals("a.dtb: bad dtb: bad magic 0x6e6f7420 at offset 0x0 (expected 0xd00dfeed)", e.getMessage());
    }
}
