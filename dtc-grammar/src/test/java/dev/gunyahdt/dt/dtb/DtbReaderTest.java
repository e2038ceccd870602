package dev.gunyahdt.dt.dtb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.MemReserve;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DtbReaderTest {

    /** The hand-built sample with every value as plain bytes, as a blob gives it back. */
    private static Node plain(Node n) {
        List<Property> props = new ArrayList<>();
        for (Property p : n.properties()) {
            props.add(Property.of(p.name(), PropertyValue.ofBytes(p.value().bytes())));
        }
        List<Node> kids = new ArrayList<>();
        for (Node c : n.children()) {
            kids.add(plain(c));
        }
        return Node.of(n.name(), props, kids);
    }

    /** A comparable rendering of a tree: every node path, property and value. */
    private static String dump(DeviceTree t) {
        StringBuilder sb = new StringBuilder();
        sb.append("boot ")
                .append(t.bootCpuidPhys())
                .append(" plugin ")
                .append(t.plugin())
                .append('\n');
        for (MemReserve r : t.memReserves()) {
            sb.append("reserve ")
                    .append(Long.toHexString(r.address()))
                    .append(' ')
                    .append(Long.toHexString(r.size()))
                    .append(' ')
                    .append(r.labels())
                    .append('\n');
        }
        t.walk(c -> {
            sb.append(c.path())
                    .append(" labels=")
                    .append(c.node().labels())
                    .append(" spans=")
                    .append(c.node().spans().size())
                    .append('\n');
            for (Property p : c.node().properties()) {
                sb.append("  ")
                        .append(p.name())
                        .append(" = ")
                        .append(p.value())
                        .append(" span=")
                        .append(p.span())
                        .append('\n');
            }
        });
        return sb.toString();
    }

    @Test
    void readsTheSampleAsPlainBytes() {
        DeviceTree t = DtbReader.read(Samples.golden("sample.dtb"), "sample.dtb");
        DeviceTree expected = Samples.sampleTree();
        expected = expected.withRoot(plain(expected.root()));
        assertEquals(dump(expected), dump(t));
        assertEquals("", t.root().name());
        assertEquals(3, t.bootCpuidPhys());
        assertFalse(t.plugin());
        assertTrue(t.root().property("compatible").isEmpty());
        assertEquals(
                List.of("foo", "bar"),
                t.root()
                        .child("node@1")
                        .orElseThrow()
                        .property("compatible")
                        .orElseThrow()
                        .value()
                        .asStrings());
        assertTrue(t.root().property("ress").orElseThrow().value().markers().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "sample.dtb,                  17, 0,   0,   0,   0",
        "sample-v16.dtb,              16, 0,   0,   0,   0",
        "sample-v3.dtb,                3, 0,   0,   0,   0",
        "sample-v2.dtb,                2, 0,   0,   0,   0",
        "sample-v1.dtb,                1, 0,   0,   0,   0",
        "sample-R2.dtb,               17, 2,   0,   0,   0",
        "sample-S512.dtb,             17, 0, 512,   0,   0",
        "sample-p100.dtb,             17, 0,   0, 100,   0",
        "sample-a64.dtb,              17, 0,   0,   0,  64",
        "sample-p100-a64.dtb,         17, 0,   0, 100,  64",
        "sample-S512-a256.dtb,        17, 0, 512,   0, 256",
        "sample-v16-R1-p7-a16.dtb,    16, 1,   0,   7,  16",
        "sample-v1-R1-S400-a8.dtb,     1, 1, 400,   0,   8",
        "strings.dtb,                 17, 0,   0,   0,   0",
    })
    void roundTripsDtcBlobs(String golden, int version, int reserve, int minSize, int padding, int align) {
        byte[] blob = Samples.golden(golden);
        DeviceTree t = DtbReader.read(blob, golden);
        byte[] again = DtbWriter.write(t, new DtbOptions(version, reserve, minSize, padding, align));
        assertEquals(Samples.hexDump(blob), Samples.hexDump(again));
    }

    @Test
    void oldVersionsGiveBaseNamesAndKeepNameProperties() {
        DeviceTree v1 = DtbReader.read(Samples.golden("sample-v1.dtb"), "v1");
        Node child = v1.find("/node@1/child").orElseThrow().node();
        assertEquals("child", child.name());
        assertEquals("child", child.property("name").orElseThrow().value().asString());
        assertEquals("", v1.root().property("name").orElseThrow().value().asString());
        assertEquals(0, v1.bootCpuidPhys()); // version 1 has no boot CPU field
        assertEquals(3, DtbReader.read(Samples.golden("sample-v2.dtb"), "v2").bootCpuidPhys());
        // the same tree as v17, once the old "name" properties are set aside
        DeviceTree v17 = DtbReader.read(Samples.golden("sample.dtb"), "v17");
        Node stripped = v1.root().rewrite((orig, n) -> n.withoutProperty("name"));
        assertEquals(dump(v17.withBootCpuidPhys(0)), dump(v1.withRoot(stripped)));
    }

    @Test
    void laterVersionsReadAsSeventeenAndTrailingBytesAreIgnored() {
        byte[] blob = Samples.golden("sample.dtb");
        byte[] v18 = blob.clone();
        v18[23] = 18;
        byte[] longer = Arrays.copyOf(blob, blob.length + 64);
        String want = dump(DtbReader.read(blob, "a"));
        assertEquals(want, dump(DtbReader.read(v18, "b")));
        assertEquals(want, dump(DtbReader.read(longer, "c")));
    }

    @Test
    void nopsAreSkippedAndPropertiesAfterSubnodesAccepted() {
        // root { NOP; a { NOP }; p = <1>; NOP } — dtc accepts a property after a subnode (with a
        // warning); the model keeps properties and children apart anyway.
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        int[] words = {
            Fdt.BEGIN_NODE,
            0,
            Fdt.NOP,
            Fdt.BEGIN_NODE,
            0x61000000,
            Fdt.NOP,
            Fdt.END_NODE,
            Fdt.PROP,
            4,
            0,
            1,
            Fdt.NOP,
            Fdt.END_NODE,
            Fdt.NOP,
            Fdt.END
        };
        for (int w : words) {
            DtbCorruptTest.word(s, w);
        }
        DeviceTree t = DtbReader.read(DtbCorruptTest.blob(s.toByteArray(), new byte[] {'p', 0}), "nop.dtb");
        assertEquals(
                "boot 0 plugin false\n/ labels=[] spans=0\n  p = [00 00 00 01] [] span=null\n"
                        + "/a labels=[] spans=0\n",
                dump(t));
    }
}
