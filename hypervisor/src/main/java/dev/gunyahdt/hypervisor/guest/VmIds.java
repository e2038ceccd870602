package dev.gunyahdt.hypervisor.guest;

import dev.gunyahdt.hypervisor.rm.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the RM's identity answers: VM_GET_ID's entries and the VMID lists of VM_LOOKUP_*. */
final class VmIds {
    /** VM_ID_TYPE_NAME. */
    static final int NAME = 2;

    private VmIds() {}

    /** The name entry of a VM_GET_ID reply (u32 count; each: u8 type, u8 0, u16 size, bytes padded to 4). */
    static Optional<String> name(byte[] reply) {
        try {
            Wire.Reader in = new Wire.Reader(reply);
            long n = in.u32();
            for (long i = 0; i < n; i++) {
                int type = in.u8();
                in.u8();
                int size = in.u16();
                byte[] value = in.bytes(size);
                in.bytes((4 - size % 4) % 4);
                if (type == NAME) {
                    return Optional.of(new String(value, StandardCharsets.ISO_8859_1));
                }
            }
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** A VM_LOOKUP_* reply's VMIDs (u32 count, then one u32 each); empty when malformed. */
    static List<Integer> vmids(byte[] reply) {
        List<Integer> out = new ArrayList<>();
        try {
            Wire.Reader in = new Wire.Reader(reply);
            long n = in.u32();
            if (in.remaining() != n * 4) {
                return List.of();
            }
            for (long i = 0; i < n; i++) {
                out.add((int) in.u32());
            }
        } catch (RuntimeException malformed) {
            return List.of();
        }
        return out;
    }
}
