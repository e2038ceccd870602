package dev.gunyahdt.dt;

import java.util.List;

/**
 * A named property of a node. {@code span} is null for properties read from a blob or made by
 * a tool rather than written in source.
 */
public record Property(String name, PropertyValue value, List<String> labels, SourceSpan span) {

    public Property {
        labels = List.copyOf(labels);
    }

    public static Property of(String name, PropertyValue value) {
        return new Property(name, value, List.of(), null);
    }

    public Property withValue(PropertyValue v) {
        return new Property(name, v, labels, span);
    }

    public Property withLabels(List<String> l) {
        return new Property(name, value, l, span);
    }
}
