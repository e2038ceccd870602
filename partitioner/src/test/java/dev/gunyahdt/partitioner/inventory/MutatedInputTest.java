package dev.gunyahdt.partitioner.inventory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gunyahdt.dt.DeviceTree;
import dev.gunyahdt.dt.Node;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.PropertyValue;
import dev.gunyahdt.dt.diag.DtException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Untrusted input: the qemu-virt tree with one property the inventory reads damaged at a time
 * (truncated, extended, or its cells replaced by random or extreme values). The inventory must
 * either be built or fail with a DtException — never another exception, never a hang.
 */
class MutatedInputTest {

    private static final Set<String> READ = Set.of(
            "reg",
            "ranges",
            "#address-cells",
            "#size-cells",
            "interrupts",
            "interrupts-extended",
            "interrupt-parent",
            "interrupt-map",
            "interrupt-map-mask",
            "#interrupt-cells",
            "cpu",
            "phandle");

    @Test
    void damagedPropertiesGiveAnInventoryOrADtException() {
        DeviceTree base = Boards.board("boards/qemu-virt/board.dts");
        Random rnd = new Random(4);
        int built = 0;
        int rejected = 0;
        for (int round = 0; round < 3000; round++) {
            int[] seen = {0};
            int target = rnd.nextInt(400);
            Node root = base.root().rewrite((old, n) -> {
                List<Property> props = new ArrayList<>(n.properties());
                for (int i = 0; i < props.size(); i++) {
                    if (READ.contains(props.get(i).name()) && seen[0]++ == target) {
                        props.set(i, props.get(i).withValue(damage(props.get(i).value(), rnd)));
                    }
                }
                return n.withProperties(props);
            });
            try {
                BoardInventory.of(base.withRoot(root));
                built++;
            } catch (DtException e) {
                rejected++;
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            } catch (RuntimeException | StackOverflowError e) {
                fail("round " + round + ": " + e, e);
            }
        }
        assertTrue(built > 0 && rejected > 0, built + " built, " + rejected + " rejected");
    }

    private static PropertyValue damage(PropertyValue v, Random rnd) {
        byte[] b = v.bytes();
        return switch (rnd.nextInt(4)) {
            case 0 -> PropertyValue.ofBytes(java.util.Arrays.copyOf(b, Math.max(0, b.length - 1 - rnd.nextInt(4))));
            case 1 -> PropertyValue.ofBytes(java.util.Arrays.copyOf(b, b.length + 4 * (1 + rnd.nextInt(3))));
            case 2 -> {
                for (int i = 0; i < b.length; i++) {
                    if (rnd.nextInt(4) == 0) {
                        b[i] = (byte) rnd.nextInt(256);
                    }
                }
                yield PropertyValue.ofBytes(b);
            }
            default -> {
                long[] extremes = {0, 1, 2, 3, 0xffffffffL, 0x7fffffffL, 33, 1019};
                for (int i = 0; i + 4 <= b.length; i += 4) {
                    if (rnd.nextInt(3) == 0) {
                        long x = extremes[rnd.nextInt(extremes.length)];
                        b[i] = (byte) (x >>> 24);
                        b[i + 1] = (byte) (x >>> 16);
                        b[i + 2] = (byte) (x >>> 8);
                        b[i + 3] = (byte) x;
                    }
                }
                yield PropertyValue.ofBytes(b);
            }
        };
    }
}
