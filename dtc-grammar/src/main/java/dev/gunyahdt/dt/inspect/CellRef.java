package dev.gunyahdt.dt.inspect;

/**
 * A 32-bit cell of a property value that holds a phandle, and what it refers to.
 *
 * @param offset     byte offset of the cell in the property value
 * @param targetPath the path of the node carrying that phandle, or null when the target lies
 *                   outside this tree (an overlay's {@code __fixups__} entry)
 * @param label      the label to write it with, or null to write {@code &{/path}}
 * @param source     how the cell was recognised
 */
public record CellRef(int offset, String targetPath, String label, Source source) {

    /** How a phandle cell was recognised, most certain first. */
    public enum Source {
        /** a reference in the DTS source ({@code &label} inside {@code < >}) */
        SOURCE,
        /** an overlay's {@code __fixups__} entry: a label the base tree must provide */
        FIXUP,
        /** an overlay's {@code __local_fixups__} entry */
        LOCAL_FIXUP,
        /** a standard phandle property walked with its provider's {@code #…-cells} */
        PROPERTY
    }

    /** {@code &label}, or {@code &{/path}} when the target has no usable label. */
    public String text() {
        return label != null ? "&" + label : "&{" + targetPath + "}";
    }

    /** {@code &{/path}} for local targets, {@code &label} for external ones: stable across relabelling. */
    public String pathText() {
        return targetPath != null ? "&{" + targetPath + "}" : "&" + label;
    }
}
