package dev.gunyahdt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The schema root a binding document sits under, read from its {@code $id}
 * ({@code http://devicetree.org/schemas/arm/cpus.yaml#} in {@code …/bindings/arm/cpus.yaml} makes
 * {@code …/bindings} the root), for {@code check-bindings} without {@code -u}.
 */
final class SchemaRoot {

    private static final Pattern ID =
            Pattern.compile("^\\$id:\\s*[\"']?http://devicetree\\.org/schemas/([^#\"'\\s]+)", Pattern.MULTILINE);

    private SchemaRoot() {}

    /**
     * The root of {@code arg} (a file, or a directory whose documents are {@code docs}): the first
     * document whose $id's path its own path ends with decides; null when none does, or when the
     * root would not hold {@code arg} (then the argument is its own root, as before).
     */
    static Path of(Path arg, List<Path> docs) {
        for (Path d : docs) {
            try {
                Matcher m = ID.matcher(Files.readString(d, StandardCharsets.UTF_8));
                if (!m.find()) {
                    continue;
                }
                String id = m.group(1);
                String p = d.toString().replace('\\', '/');
                if (p.endsWith("/" + id)) {
                    String rootText = p.substring(0, p.length() - id.length() - 1);
                    Path root = Path.of(rootText.isEmpty() ? "/" : rootText);
                    Path a = arg.toAbsolutePath().normalize();
                    Path r = root.toAbsolutePath().normalize();
                    return a.startsWith(r) && !a.equals(r) ? root : null;
                }
                return null;
            } catch (IOException | RuntimeException e) {
                // unreadable: reported when the set is loaded
            }
        }
        return null;
    }
}
