package dev.gunyahdt.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.bindings.BindingSet;
import dev.gunyahdt.bindings.DtSchema;
import dev.gunyahdt.bindings.schema.Fixups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gunyah-dt's reproduction of dt-mk-schema's processing ({@link Fixups#asDtMkSchema}) against
 * dt-mk-schema 2022.08 itself, on the built-in Gunyah bindings and the installed dt-schema's core
 * schemas: every binding both have comes out identical (descriptions, which dt-mk-schema keeps
 * in places, and the keys only its file adds — select, the top-level type, $filename — aside).
 * The Linux 6.1 set (3023 bindings) is compared by hand: tests/conformance/fixups-agreement.sh.
 * Skipped, saying so, without dt-schema.
 */
class FixupsAgreementTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void builtinAndCoreBindingsProcessAsDtMkSchemaProcessesThem(@TempDir Path dir) throws Exception {
        Optional<DtSchema> dt = DtSchema.locate();
        if (!EmittedDtValidateTest.onPath("dt-mk-schema") || dt.isEmpty()) {
            String reason = "dt-schema is not installed (apt-get install dt-schema): dt-mk-schema not compared";
            System.out.println("FixupsAgreementTest skipped: " + reason);
            Assumptions.abort(reason);
        }
        // our Gunyah bindings only: our types.yaml/dt-core.yaml share $ids with dt-schema's core
        Path source = EmittedDtValidateTest.REPO.resolve("bindings/src/main/resources/bindings");
        Path gunyah = Files.createDirectories(dir.resolve("bindings"));
        try (var files = Files.list(source)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("gunyah-"))
                    .toList()) {
                Files.copy(f, gunyah.resolve(f.getFileName()));
            }
        }
        Path out = dir.resolve("processed.json");
        Process p = new ProcessBuilder("dt-mk-schema", "-j", gunyah.toString())
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "dt-mk-schema did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err.txt")));
        JsonNode dtmk = JSON.readTree(out.toFile());

        BindingSet set = BindingSet.loadWithCore(dt.get().schemas(), List.of());
        List<String> differ = new ArrayList<>();
        int compared = 0;
        int gunyahCompared = 0;
        for (BindingSet.Binding b : set.bindings().values()) {
            JsonNode theirs = dtmk.get(b.id().endsWith("#") ? b.id() : b.id() + "#");
            if (theirs == null || !(b.source().root() instanceof ObjectNode doc)) {
                continue;
            }
            compared++;
            gunyahCompared += b.id().contains("/gunyah-") ? 1 : 0;
            // through JSON text, so both sides hold the same number node types
            JsonNode ours = normal(JSON.readTree(JSON.writeValueAsString(Fixups.asDtMkSchema(doc))));
            if (!ours.equals(normal(theirs.deepCopy()))) {
                differ.add(b.id());
            }
        }
        assertEquals(7, gunyahCompared, "every built-in Gunyah binding compared");
        assertTrue(compared > 40, "dt-schema's core compared too: " + compared);
        assertEquals(List.of(), differ, "bindings processed differently from dt-mk-schema");
    }

    /** Without descriptions, and without the top-level keys only dt-mk-schema's file has. */
    private static JsonNode normal(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove(List.of("select", "type", "$filename"));
        }
        return stripDescriptions(n);
    }

    private static JsonNode stripDescriptions(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("description");
            o.elements().forEachRemaining(FixupsAgreementTest::stripDescriptions);
        } else if (n instanceof ArrayNode a) {
            a.forEach(FixupsAgreementTest::stripDescriptions);
        }
        return n;
    }
}
