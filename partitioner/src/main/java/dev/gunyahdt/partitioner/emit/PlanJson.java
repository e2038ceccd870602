package dev.gunyahdt.partitioner.emit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.partitioner.allocate.Allocation;
import dev.gunyahdt.partitioner.allocate.Allocation.SharedRegion;
import dev.gunyahdt.partitioner.allocate.Allocation.Virq;
import dev.gunyahdt.partitioner.allocate.Allocation.VmAllocation;
import dev.gunyahdt.partitioner.inventory.BoardInventory.Range;

/**
 * {@code plan.json}: the allocation for machines. Addresses and sizes are hex strings
 * ({@code "0x40000000"}), as 64-bit values do not survive every JSON reader as numbers.
 */
public final class PlanJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanJson() {}

    public static String render(Allocation a) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "gunyah-dt-plan/1");
        a.hypervisor().ifPresent(h -> root.set("hypervisor", range(h)));
        ArrayNode vms = root.putArray("vms");
        for (VmAllocation va : a.vms()) {
            ObjectNode v = vms.addObject();
            v.put("name", va.vm().name());
            v.put("vmid", va.vmid());
            v.put("primary", va.vm().primary());
            v.put("scheduling", va.vm().scheduling().yaml());
            ArrayNode mem = v.putArray("memory");
            va.memory().ifPresent(m -> mem.add(range(m)));
            ArrayNode cpus = v.putArray("cpus");
            va.cpus().forEach(cpus::add);
            ArrayNode spis = v.putArray("spis");
            va.spis().forEach(spis::add);
            ArrayNode devices = v.putArray("devices");
            va.devices()
                    .forEach(d -> d.device().ifPresent(dev -> {
                        ObjectNode o = devices.addObject();
                        o.put("path", dev.path());
                        o.put("ref", d.ref().ref());
                        ArrayNode mmio = o.putArray("mmio");
                        dev.mmio().forEach(r -> mmio.add(range(r)));
                    }));
            ArrayNode virqs = v.putArray("virqs");
            for (Virq q : va.virqs()) {
                virqs.addObject().put("intid", q.intid()).put("purpose", q.purpose());
            }
        }
        ArrayNode shared = root.putArray("shared");
        for (SharedRegion s : a.shared()) {
            ObjectNode o = shared.addObject();
            o.put("declaredBy", s.declaredBy());
            o.put("label", s.vdevice().label());
            s.range().ifPresent(r -> o.set("range", range(r)));
            ArrayNode sharers = o.putArray("sharers");
            s.sharers().stream().sorted().forEach(sharers::add);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode range(Range r) {
        return JSON.createObjectNode()
                .put("base", "0x" + Long.toHexString(r.base()))
                .put("size", "0x" + Long.toHexString(r.size()));
    }
}
