package dev.gunyahdt.dt;

import java.util.List;

/** A {@code /memreserve/ address size;} entry of the blob header's reserve map. */
public record MemReserve(long address, long size, List<String> labels, SourceSpan span) {
    public MemReserve {
        labels = List.copyOf(labels);
    }

    public static MemReserve of(long address, long size) {
        return new MemReserve(address, size, List.of(), null);
    }
}
