package dev.gunyahdt.dt.dtb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.source.DtsSource;
import dev.gunyahdt.dt.source.IncludeResolver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The writer against blobs dtc 1.6.1 produced from sample.dts (see gen.sh beside them): the tree
 * is built by hand, so these tests do not depend on the reader.
 */
class DtbWriterTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // golden file,             version, -R, -S, -p, -a
        "sample.dtb,                  17, 0,   0,   0,   0",
        "sample-v16.dtb,              16, 0,   0,   0,   0",
        "sample-v3.dtb,                3, 0,   0,   0,   0",
        "sample-v2.dtb,                2, 0,   0,   0,   0",
        "sample-v1.dtb,                1, 0,   0,   0,   0",
        "sample-R2.dtb,               17, 2,   0,   0,   0",
        "sample-S512.dtb,             17, 0, 512,   0,   0",
        "sample-S10.dtb,              17, 0,  10,   0,   0",
        "sample-p100.dtb,             17, 0,   0, 100,   0",
        "sample-a64.dtb,              17, 0,   0,   0,  64",
        "sample-a1.dtb,               17, 0,   0,   0,   1",
        "sample-p100-a64.dtb,         17, 0,   0, 100,  64",
        "sample-S512-a256.dtb,        17, 0, 512,   0, 256",
        "sample-S300-a256.dtb,        17, 0, 300,   0, 256",
        "sample-v16-R1-p7-a16.dtb,    16, 1,   0,   7,  16",
        "sample-v1-R1-S400-a8.dtb,     1, 1, 400,   0,   8",
    })
    void matchesDtcByteForByte(String golden, int version, int reserve, int minSize, int padding, int align) {
        byte[] expected = Samples.golden(golden);
        byte[] actual =
                DtbWriter.write(Samples.sampleTree(), new DtbOptions(version, reserve, minSize, padding, align));
        assertEquals(Samples.hexDump(expected), Samples.hexDump(actual));
    }

    /** From source: the DTS front end's tree of the same files flattens to dtc's bytes too. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"sample.dts, sample.dtb, 3", "strings.dts, strings.dtb, 0"})
    void parsedSourcesMatchDtc(String dts, String golden, long bootCpu) {
        String text = new String(Samples.golden(dts), java.nio.charset.StandardCharsets.ISO_8859_1);
        DeviceTree t =
                DtsSource.parse(text, dts, new IncludeResolver(List.of())).withBootCpuidPhys(bootCpu);
        assertEquals(
                Samples.hexDump(Samples.golden(golden)), Samples.hexDump(DtbWriter.write(t, DtbOptions.defaults())));
    }

    @Test
    void headerOfTheDefaultBlob() {
        byte[] b = DtbWriter.write(Samples.sampleTree(), DtbOptions.defaults());
        // magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
        // last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct
        assertEquals(
                "0000: d0 0d fe ed 00 00 01 8c 00 00 00 58 00 00 01 50\n"
                        + "0010: 00 00 00 28 00 00 00 11 00 00 00 10 00 00 00 03\n"
                        + "0020: 00 00 00 3c 00 00 00 f8",
                Samples.hexDump(java.util.Arrays.copyOf(b, 40)));
    }

    /** The strings block of a root holding just these property names. */
    private static String stringsOf(String... names) {
        List<Property> props = new ArrayList<>();
        for (String n : names) {
            props.add(Property.of(n, PropertyValue.EMPTY));
        }
        byte[] b = DtbWriter.write(
                new DeviceTree(Node.of("", props, List.of()), List.of(), false, 0), DtbOptions.defaults());
        int off = ((b[12] & 0xff) << 24) | ((b[13] & 0xff) << 16) | ((b[14] & 0xff) << 8) | (b[15] & 0xff);
        return new String(b, off, b.length - off, java.nio.charset.StandardCharsets.ISO_8859_1).replace('\0', '|');
    }

    /** The name offsets the PROP tokens of such a root point at. */
    private static List<Integer> nameOffsetsOf(String... names) {
        List<Property> props = new ArrayList<>();
        for (String n : names) {
            props.add(Property.of(n, PropertyValue.EMPTY));
        }
        byte[] b = DtbWriter.write(
                new DeviceTree(Node.of("", props, List.of()), List.of(), false, 0), DtbOptions.defaults());
        List<Integer> out = new ArrayList<>();
        // struct at 0x38 (no reserves): BEGIN_NODE, "" padded, then PROP,len=0,nameoff per name
        for (int i = 0; i < names.length; i++) {
            int at = 0x38 + 8 + 12 * i + 8;
            out.add(((b[at] & 0xff) << 24)
                    | ((b[at + 1] & 0xff) << 16)
                    | ((b[at + 2] & 0xff) << 8)
                    | (b[at + 3] & 0xff));
        }
        return out;
    }

    // Observed with dtc 1.6.1: a name reuses any earlier occurrence of itself plus its NUL,
    // including the tail of a longer name, but not an occurrence in the middle of one.
    @Test
    void stringsReuseSuffixesOfEarlierNames() {
        assertEquals("#address-cells|", stringsOf("#address-cells", "cells", "address-cells", "s"));
        assertEquals(List.of(0, 9, 1, 13), nameOffsetsOf("#address-cells", "cells", "address-cells", "s"));
    }

    @Test
    void stringsDoNotReuseInnerSubstrings() {
        assertEquals("compatible|pat|ress|", stringsOf("compatible", "pat", "ress"));
    }

    @Test
    void stringsDoNotReuseWhenTheLongerNameComesLater() {
        assertEquals("cells|#address-cells|", stringsOf("cells", "#address-cells", "cells"));
        assertEquals(List.of(0, 6, 0), nameOffsetsOf("cells", "#address-cells", "cells"));
    }

    @Test
    void stringsTakeTheFirstOccurrence() {
        // "bc" is a tail of both "abc" and "xbc"; the earlier one wins.
        assertEquals(List.of(0, 4, 1, 2), nameOffsetsOf("abc", "xbc", "bc", "c"));
    }

    @Test
    void stringsMatchDtcOnNestedNodes() {
        // strings.dts compiled by dtc: the walk order (props, then children) sets the table order.
        Node k = Node.of("k", props("cells", "address-cells", "s"), List.of());
        Node m = Node.of("m", props("cells", "#address-cells"), List.of(k));
        Node n = Node.of("n", props("bc", "c"), List.of());
        DeviceTree t = new DeviceTree(Node.of("", props("abc", "xbc"), List.of(n, m)), List.of(), false, 0);
        assertEquals(
                Samples.hexDump(Samples.golden("strings.dtb")),
                Samples.hexDump(DtbWriter.write(t, DtbOptions.defaults())));
    }

    private static List<Property> props(String... names) {
        List<Property> out = new ArrayList<>();
        for (String n : names) {
            out.add(Property.of(n, PropertyValue.EMPTY));
        }
        return out;
    }

    @Test
    void emptyNameReusesTheFirstNul() {
        // dtc -I dtb -O dtb on a blob with an empty property name points it at the first NUL.
        assertEquals(List.of(0, 3), nameOffsetsOf("abc", ""));
        assertEquals("|", stringsOf(""));
    }

    @Test
    void rootNameIsAlwaysWrittenEmpty() {
        DeviceTree t = Samples.sampleTree();
        DeviceTree renamed = t.withRoot(t.root().withName("/"));
        assertEquals(
                Samples.hexDump(DtbWriter.write(t, DtbOptions.defaults())),
                Samples.hexDump(DtbWriter.write(renamed, DtbOptions.defaults())));
    }

    @Test
    void oldVersionsKeepAnExistingNameProperty() {
        Node a = Node.of("a@1", List.of(Property.of("name", PropertyValue.ofString("zzz"))), List.of());
        DeviceTree t = new DeviceTree(Node.of("", List.of(), List.of(a)), List.of(), false, 0);
        byte[] b = DtbWriter.write(t, new DtbOptions(1, 0, 0, 0, 0));
        // Observed: dtc -f -V 1 on "/ { a@1 { name = "zzz"; }; };" (root gets name = "").
        assertEquals(
                "0000: d0 0d fe ed 00 00 00 75 00 00 00 30 00 00 00 70\n"
                        + "0010: 00 00 00 20 00 00 00 01 00 00 00 01 00 00 00 00\n"
                        + "0020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
                        + "0030: 00 00 00 01 2f 00 00 00 00 00 00 03 00 00 00 01\n"
                        + "0040: 00 00 00 00 00 00 00 00 00 00 00 01 2f 61 40 31\n"
                        + "0050: 00 00 00 00 00 00 00 03 00 00 00 04 00 00 00 00\n"
                        + "0060: 7a 7a 7a 00 00 00 00 02 00 00 00 02 00 00 00 09\n"
                        + "0070: 6e 61 6d 65 00",
                Samples.hexDump(b));
    }

    @Test
    void rejectsOptionsDtcRejects() {
        assertEquals(
                "Unknown device tree blob version 15",
                assertThrows(DtException.class, () -> new DtbOptions(15, 0, 0, 0, 0))
                        .getMessage());
        assertEquals(
                "Can't set both -p and -S",
                assertThrows(DtException.class, () -> new DtbOptions(17, 0, 100, 100, 0))
                        .getMessage());
        assertEquals(
                "Invalid argument \"3\" to -a option",
                assertThrows(DtException.class, () -> new DtbOptions(17, 0, 0, 0, 3))
                        .getMessage());
        assertThrows(DtException.class, () -> new DtbOptions(17, -1, 0, 0, 0));
    }
}
