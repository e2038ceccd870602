package dev.gunyahdt.partitioner.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gunyahdt.partitioner.TestBoards;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.plan.VmPlan.Vm;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** memory-map.svg and report.html of boards/qemu-virt, read as text and as XML. */
class ReportTest {

    static Allocation qemu;
    static String svg;
    static String html;
    static Map<String, String> colors;

    @BeforeAll
    static void render() {
        qemu = TestBoards.partition(TestBoards.REPO.resolve("boards/qemu-virt/vms.yaml"));
        svg = MemoryMapSvg.render(qemu);
        html = ReportHtml.render(qemu, svg);
        colors = VmColors.of(qemu);
    }

    static Document xml(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The {@code <g>} of a VM's region, by id. */
    static Element vmGroup(Document d, String id) {
        NodeList gs = d.getElementsByTagName("g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (g.getAttribute("id").equals(id)) {
                return g;
            }
        }
        throw new AssertionError("no <g id=" + id + ">");
    }

    static List<String> texts(Element e) {
        List<String> out = new ArrayList<>();
        NodeList ts = e.getElementsByTagName("text");
        for (int i = 0; i < ts.getLength(); i++) {
            out.add(ts.item(i).getTextContent());
        }
        return out;
    }

    @Test
    void everyVmHasItsOwnColorInPlanOrder() {
        assertEquals(Map.of("hlos", "#4e79a7", "svm1", "#f28e2b", "svm2", "#59a14f"), colors);
        assertEquals(3, new HashSet<>(colors.values()).size());
    }

    @Test
    void eachVmRegionIsABoxInItsColorWithItsAddresses() throws Exception {
        Document d = xml(svg);
        String[][] expect = {
            {"hlos", "hlos (VMID 0x3) 1GiB", "0x40000000-0x7fffffff"},
            {"svm1", "svm1 (VMID 0x80) 256MiB", "0x80000000-0x8fffffff"},
            {"svm2", "svm2 (VMID 0x81) 256MiB", "0x90000000-0x9fffffff"}
        };
        for (String[] e : expect) {
            Element g = vmGroup(d, "vm-" + e[0]);
            assertEquals(e[0], g.getAttribute("data-vm"));
            Element rect = (Element) g.getElementsByTagName("rect").item(0);
            assertEquals(colors.get(e[0]), rect.getAttribute("fill"));
            assertTrue(Double.parseDouble(rect.getAttribute("height")) >= 20, e[0] + " too thin to see");
            assertEquals(List.of(e[1], e[2]), texts(g));
        }
        // 1 GiB is 2^30: 20 px + 10 per doubling above 4 KiB; 256 MiB 180 px
        assertEquals(
                "200.0",
                ((Element) vmGroup(d, "vm-hlos").getElementsByTagName("rect").item(0)).getAttribute("height"));
        assertEquals(
                "180.0",
                ((Element) vmGroup(d, "vm-svm1").getElementsByTagName("rect").item(0)).getAttribute("height"));
    }

    @Test
    void axisLabelsEveryEdgeAndTheCarveOutAndBankAreDrawn() throws Exception {
        List<String> axis = texts(vmGroup(xml(svg), "axis"));
        assertEquals(
                List.of(
                        "0x40000000",
                        "0x80000000",
                        "0x90000000",
                        "0xa0000000",
                        "0xa0200000",
                        "0xa0210000",
                        "0xbc000000",
                        "0xc0000000"),
                axis);
        assertTrue(svg.contains(">hypervisor 64MiB</text>") && svg.contains(">0xbc000000-0xbfffffff</text>"));
        assertTrue(svg.contains(">/memory@40000000</text>") && svg.contains(">2GiB</text>"));
        assertTrue(svg.contains(">free 456640KiB</text>")); // 0xa0210000..0xbc000000, after the virtio DMA pool
        assertFalse(svg.contains(">free 2MiB</text>"), "the shm region outside every VM is not free");
        // the legend: one key per VM with its color, then the fixed fills
        for (Map.Entry<String, String> c : colors.entrySet()) {
            assertTrue(
                    Pattern.compile("<g class=\"key\" data-vm=\"" + c.getKey() + "\"><rect [^>]*fill=\"" + c.getValue()
                                    + "\"")
                            .matcher(svg)
                            .find(),
                    c.getKey());
        }
    }

    @Test
    void sharedRegionNamesItsSharersWithAStripeEach() throws Exception {
        Document d = xml(svg);
        NodeList gs = d.getElementsByTagName("g");
        Element shm = null;
        for (int i = 0; i < gs.getLength(); i++) {
            if (shm == null && ((Element) gs.item(i)).getAttribute("class").equals("shm")) {
                shm = (Element) gs.item(i); // svm1's shm; svm2's virtio DMA pool is the second
            }
        }
        assertTrue(shm != null, "no shm group");
        assertEquals("svm1/2", shm.getAttribute("data-shm"));
        assertEquals("hlos svm1", shm.getAttribute("data-sharers"));
        NodeList rects = shm.getElementsByTagName("rect");
        assertEquals(3, rects.getLength());
        assertEquals(VmColors.SHARED, ((Element) rects.item(0)).getAttribute("fill"));
        assertEquals(colors.get("hlos"), ((Element) rects.item(1)).getAttribute("fill"));
        assertEquals(colors.get("svm1"), ((Element) rects.item(2)).getAttribute("fill"));
        assertEquals(List.of("shm svm1/2 2MiB", "0xa0000000-0xa01fffff", "shared by hlos, svm1"), texts(shm));
        // 2 MiB still gets 110 px
        assertEquals("110.0", ((Element) rects.item(0)).getAttribute("height"));
    }

    @Test
    void reportIsSelfContainedWithTheMapInline() {
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<style>"));
        assertTrue(html.contains("<div id=\"memory-map\">\n" + svg + "</div>"));
        assertFalse(html.contains("<script"));
        assertFalse(Pattern.compile("(src|href)=").matcher(html).find(), "no external resource");
        assertFalse(html.contains("<link"));
    }

    @Test
    void reportTablesPerVm() {
        String hlos = section(html, "<table class=\"vm-table\" id=\"table-hlos\"", "</table>");
        assertTrue(hlos.contains("<tr><th>VMID</th><td>0x3</td></tr>"));
        assertTrue(hlos.contains("<tr><th>memory</th><td>0x40000000-0x7fffffff (1GiB)</td></tr>"));
        assertTrue(hlos.contains("<tr><th>CPUs</th><td>0-3 (pinned)</td></tr>"));
        assertTrue(hlos.contains("<tr><th>SPIs</th><td>1-6</td></tr>"));
        assertTrue(hlos.contains("/pl011@9000000 0x9000000-0x9000fff"));
        String svm2 = section(html, "<table class=\"vm-table\" id=\"table-svm2\"", "</table>");
        assertTrue(svm2.contains("<tr><th>CPUs</th><td>6-7 (static)</td></tr>"));
        assertTrue(svm2.contains("<tr><th>passthrough devices</th><td>-</td></tr>"));
        assertTrue(svm2.contains("message-queue-pair label 0 ← svm1<br>doorbell label 1 ← svm1</td>"), svm2);
        String svm1 = section(html, "<table class=\"vm-table\" id=\"table-svm1\"", "</table>");
        assertTrue(svm1.contains("message-queue-pair label 0 → svm2"));
        assertEquals(3, count(svm1, Pattern.compile("<br>96\\d ")), "4 VIRQs, one a line");
    }

    @Test
    void cpuGridAndSpiList() {
        String cpus = section(html, "<table id=\"cpus\">", "</table>");
        assertTrue(cpus.contains("<tr class=\"cluster\"><th colspan=\"6\">cluster socket0/cluster0</th></tr>"));
        for (int cpu = 0; cpu < 8; cpu++) {
            String vm = cpu < 4 ? "hlos" : cpu < 6 ? "svm1" : "svm2";
            String row = section(cpus, "<tr><td>" + cpu + "</td>", "</tr>");
            assertEquals(1, count(row, Pattern.compile("data-vm=")), row);
            assertTrue(row.contains("data-vm=\"" + vm + "\""), row);
        }
        String spis = section(html, "<table id=\"spis\">", "</table>");
        assertTrue(spis.contains("<tr><td>1</td><td>33</td><td><code>/pl011@9000000</code></td>"));
        assertTrue(spis.contains(
                "<tr><td>16</td><td>48</td><td><code>/virtio_mmio@a000000</code></td><td data-vm=\"svm1\""));
        assertEquals(7, count(spis, Pattern.compile("<tr><td>"))); // SPIs 1-6 and 16
        // tables carry tints, never a VM's exact color: the screenshot finds the VM in the map only
        String outsideMap = html.replace(svg, "");
        for (String c : colors.values()) {
            assertFalse(outsideMap.contains(c), c);
        }
    }

    @Test
    void namesAreEscaped() throws Exception {
        assertEquals("a&lt;b&gt;&amp;&quot;c&#39;", MemoryMapSvg.esc("a<b>&\"c'"));
        // a VM whose name the schema would refuse, to show nothing reaches the markup raw
        String odd = "x<y&\"z";
        List<VmAllocation> vms = new ArrayList<>(qemu.vms());
        VmAllocation first = vms.get(0);
        Vm v = first.vm();
        vms.set(
                0,
                new VmAllocation(
                        new Vm(
                                odd,
                                v.pos(),
                                v.vmid(),
                                v.vmidPos(),
                                v.primary(),
                                v.owner(),
                                v.ownerPos(),
                                v.memory(),
                                v.vcpus(),
                                v.vcpusPos(),
                                v.affinity(),
                                v.scheduling(),
                                v.schedulingPos(),
                                v.devices(),
                                v.console(),
                                v.bootargs(),
                                v.vdevices(),
                                v.program()),
                        first.vmid(),
                        first.memory(),
                        first.cpus(),
                        first.devices(),
                        first.spis(),
                        first.virqs()));
        Allocation a = new Allocation(qemu.plan(), qemu.board(), qemu.hypervisor(), vms, qemu.shared());
        String s = MemoryMapSvg.render(a);
        Document d = xml(s);
        assertEquals(odd, vmGroup(d, "vm-" + odd).getAttribute("data-vm"));
        assertTrue(s.contains("data-vm=\"x&lt;y&amp;&quot;z\""));
        assertFalse(s.contains(odd));
        String h = ReportHtml.render(a, s);
        assertFalse(h.contains(odd));
        assertTrue(h.contains("<th>x&lt;y&amp;&quot;z</th>"));
    }

    @Test
    void sameTextOnASecondRun() {
        Allocation again = TestBoards.partition(TestBoards.REPO.resolve("boards/qemu-virt/vms.yaml"));
        assertEquals(svg, MemoryMapSvg.render(again));
        assertEquals(html, ReportHtml.render(again, MemoryMapSvg.render(again)));
    }

    @Test
    void pieceHeightsGrowWithLog2() {
        assertEquals(20, MemoryMapSvg.pieceHeight(1));
        assertEquals(20, MemoryMapSvg.pieceHeight(4096));
        assertEquals(30, MemoryMapSvg.pieceHeight(8192));
        assertEquals(110, MemoryMapSvg.pieceHeight(2 << 20));
        assertEquals(520, MemoryMapSvg.pieceHeight(Long.MAX_VALUE));
    }

    @Test
    void colorsBeyondThePaletteStayDistinct() {
        List<VmAllocation> vms = new ArrayList<>();
        VmAllocation first = qemu.vms().get(0);
        Vm v = first.vm();
        for (int i = 0; i < 200; i++) {
            vms.add(new VmAllocation(
                    new Vm(
                            "vm" + i,
                            v.pos(),
                            v.vmid(),
                            v.vmidPos(),
                            v.primary(),
                            v.owner(),
                            v.ownerPos(),
                            v.memory(),
                            v.vcpus(),
                            v.vcpusPos(),
                            v.affinity(),
                            v.scheduling(),
                            v.schedulingPos(),
                            v.devices(),
                            v.console(),
                            v.bootargs(),
                            v.vdevices(),
                            v.program()),
                    first.vmid(),
                    first.memory(),
                    first.cpus(),
                    first.devices(),
                    first.spis(),
                    first.virqs()));
        }
        Map<String, String> c =
                VmColors.of(new Allocation(qemu.plan(), qemu.board(), qemu.hypervisor(), vms, List.of()));
        assertEquals(200, new HashSet<>(c.values()).size());
        for (String fixed :
                List.of(VmColors.BANK, VmColors.RESERVED, VmColors.HYPERVISOR, VmColors.SHARED, VmColors.FREE)) {
            assertFalse(c.containsValue(fixed), fixed);
        }
    }

    static String section(String text, String start, String end) {
        int i = text.indexOf(start);
        assertTrue(i >= 0, "no " + start);
        int j = text.indexOf(end, i);
        return text.substring(i, j < 0 ? text.length() : j + end.length());
    }

    static int count(String text, Pattern p) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
