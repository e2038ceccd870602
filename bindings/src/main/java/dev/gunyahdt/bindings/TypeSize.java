package dev.gunyahdt.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AbstractJsonValidator;
import com.networknt.schema.AbstractKeyword;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonValidator;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.ValidationContext;
import com.networknt.schema.ValidationMessage;
import java.util.Collections;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * dt-schema's own keyword {@code typeSize}: the bit width the first value of an integer matrix
 * must have been written with. types.yaml tells a uint64 array from a uint32 one by it alone
 * (both branches of its {@code oneOf} take small numbers). The width is no part of the JSON
 * instance, so the instance's builder answers it for the node being validated ({@link #WIDTHS},
 * set by {@link Validator} around each tree).
 */
final class TypeSize extends AbstractKeyword {

    static final String KEYWORD = "typeSize";

    /** Bit width of an instance value's first number: the builder's answer, 32 when it has none. */
    static final ThreadLocal<ToIntFunction<JsonNode>> WIDTHS = ThreadLocal.withInitial(() -> v -> 32);

    TypeSize() {
        super(KEYWORD);
    }

    @Override
    public JsonValidator newValidator(
            SchemaLocation schemaLocation,
            JsonNodePath evaluationPath,
            JsonNode schemaNode,
            JsonSchema parentSchema,
            ValidationContext validationContext) {
        int want = schemaNode.asInt();
        return new AbstractJsonValidator(schemaLocation, evaluationPath, this, schemaNode) {
            @Override
            public Set<ValidationMessage> validate(
                    ExecutionContext ctx, JsonNode node, JsonNode root, JsonNodePath at) {
                // like dt-schema: only a matrix (a list of rows) has a size to check
                if (!node.isArray() || node.isEmpty() || !node.get(0).isArray()) {
                    return Collections.emptySet();
                }
                int size = WIDTHS.get().applyAsInt(node);
                if (size == want) {
                    return Collections.emptySet();
                }
                String text = at + ": size is " + size + ", expected " + want;
                ValidationMessage m = ValidationMessage.builder()
                        .type(KEYWORD)
                        .code("typeSize")
                        .instanceLocation(at)
                        .evaluationPath(evaluationPath)
                        .schemaLocation(schemaLocation)
                        .instanceNode(node)
                        .arguments(size, want)
                        .messageSupplier(() -> text)
                        .build();
                if (ctx.isFailFast()) {
                    throw new com.networknt.schema.FailFastAssertionException(m);
                }
                return Set.of(m);
            }
        };
    }
}
