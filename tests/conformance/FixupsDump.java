import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.bindings.DtSchema;
import dev.gunyahdt.bindings.schema.Fixups;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hand-run helper of fixups-agreement.sh (java -cp gunyah-dt.jar FixupsDump.java DTSCHEMA BINDINGS OUT):
 * every binding of the installed dt-schema core plus BINDINGS after gunyah-dt's dt-mk-schema
 * processing alone ({@link Fixups#asDtMkSchema}), keyed by $id, as one JSON object.
 */
public class FixupsDump {
    public static void main(String[] args) throws Exception {
        DtSchema dt = DtSchema.at(Path.of(args[0])).orElseThrow();
        BindingSet set = BindingSet.loadWithCore(dt.schemas(), List.of(Path.of(args[1])));
        Map<String, ObjectNode> out = new TreeMap<>();
        for (BindingSet.Binding b : set.bindings().values()) {
            if (b.source().root() instanceof ObjectNode doc) {
                out.put(b.id(), Fixups.asDtMkSchema(doc));
            }
        }
        new ObjectMapper().writeValue(Path.of(args[2]).toFile(), out);
    }
}
