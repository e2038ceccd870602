package dev.gunyahdt.dt;

/**
 * A typed annotation at a byte offset of a property value, as in dtc: where a label sits, where
 * a reference must be patched, and what kind of chunk starts here (so the value prints back as
 * the source wrote it).
 *
 * @param offset byte offset into the value
 * @param kind   what the marker says
 * @param ref    the label name for {@link Kind#LABEL}; the reference text (a label, or a path
 *               starting with '/') for {@link Kind#REF_PHANDLE} and {@link Kind#REF_PATH};
 *               null for type markers
 */
public record Marker(int offset, Kind kind, String ref) {

    public enum Kind {
        /**
         * dtc's TYPE_NONE: data with no type of its own starts here (an {@code /incbin/}); it
         * carries on the chunk before it when the value is printed
         */
        NONE,
        /** a 4-byte cell here holds the phandle of {@code ref} (0xffffffff until resolved) */
        REF_PHANDLE,
        /** the full path of {@code ref} (NUL-terminated) is inserted here when references resolve */
        REF_PATH,
        /** a label on this offset of the value */
        LABEL,
        TYPE_UINT8,
        TYPE_UINT16,
        TYPE_UINT32,
        TYPE_UINT64,
        TYPE_STRING;

        public boolean isType() {
            return ordinal() >= TYPE_UINT8.ordinal();
        }

        /** Element width in bytes of a cell-type marker, 0 for strings and non-type markers. */
        public int elementSize() {
            return switch (this) {
                case TYPE_UINT8 -> 1;
                case TYPE_UINT16 -> 2;
                case TYPE_UINT32 -> 4;
                case TYPE_UINT64 -> 8;
                default -> 0;
            };
        }
    }

    public Marker withOffset(int newOffset) {
        return new Marker(newOffset, kind, ref);
    }
}
