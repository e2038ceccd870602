package dev.gunyahdt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output formats of {@code lint}: text (one line a finding), JSON (an array of finding
 * objects), SARIF 2.1.0 (one run) and JUnit XML (one testsuite per input file, one testcase per
 * finding, a passing testcase for a clean file).
 */
final class FindingFormats {

    enum Format {
        TEXT, JSON, SARIF, JUNIT;

        static Format parse(String s) throws UsageException {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown --format '" + s + "' (text, json, sarif or junit)");
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private FindingFormats() {
    }

    /** {@code files} are the inputs in order (JUnit needs the clean ones too). */
    static String render(Format format, List<String> files, List<LintFinding> findings, String tool) {
        return switch (format) {
            case TEXT -> text(findings);
            case JSON -> json(findings);
            case SARIF -> sarif(findings, tool);
            case JUNIT -> junit(files, findings, tool);
        };
    }

    private static String text(List<LintFinding> findings) {
        StringBuilder sb = new StringBuilder();
        for (LintFinding f : findings) {
            sb.append(f.text()).append('\n');
        }
        return sb.toString();
    }

    static ObjectNode jsonObject(LintFinding f) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", f.file());
        o.put("line", f.line());
        o.put("column", f.column());
        o.put("node", f.node());
        o.put("property", f.property());
        o.put("severity", f.severity());
        o.put("rule", f.rule());
        o.put("schema", f.schema());
        o.put("constraint", f.constraint());
        o.put("schemaLocation", f.schemaLocation());
        o.put("message", f.message());
        return o;
    }

    private static String json(List<LintFinding> findings) {
        ArrayNode a = JSON.createArrayNode();
        findings.forEach(f -> a.add(jsonObject(f)));
        return write(a);
    }

    private static String sarif(List<LintFinding> findings, String tool) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "gunyah-dt");
        driver.put("version", Main.version());
        ArrayNode rules = driver.putArray("rules");
        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        for (LintFinding f : findings) {
            if (!ruleIndex.containsKey(f.rule())) {
                ruleIndex.put(f.rule(), ruleIndex.size());
                ObjectNode r = rules.addObject();
                r.put("id", f.rule());
                r.putObject("shortDescription").put("text", ruleDescription(f.rule()));
            }
        }
        ArrayNode results = run.putArray("results");
        for (LintFinding f : findings) {
            ObjectNode r = results.addObject();
            r.put("ruleId", f.rule());
            r.put("ruleIndex", ruleIndex.get(f.rule()));
            r.put("level", f.severity().equals("error") ? "error" : "warning");
            r.putObject("message").put("text", (f.property() != null ? f.property() + ": " : "") + f.message());
            ObjectNode loc = r.putArray("locations").addObject();
            ObjectNode phys = loc.putObject("physicalLocation");
            phys.putObject("artifactLocation").put("uri", uri(f.file()));
            if (f.line() != null && f.line() > 0) {
                ObjectNode region = phys.putObject("region");
                region.put("startLine", f.line());
                if (f.column() != null && f.column() > 0) {
                    region.put("startColumn", f.column());
                }
            }
            if (f.node() != null) {
                ObjectNode logical = loc.putArray("logicalLocations").addObject();
                logical.put("fullyQualifiedName", f.node() + (f.property() != null ? ":" + f.property() : ""));
                logical.put("kind", f.property() != null ? "member" : "element");
            }
            ObjectNode props = r.putObject("properties");
            props.put("node", f.node());
            props.put("property", f.property());
            props.put("schema", f.schema());
            props.put("constraint", f.constraint());
            props.put("schemaLocation", f.schemaLocation());
        }
        return write(root);
    }

    private static String ruleDescription(String rule) {
        return switch (rule) {
            case "schema" -> "The node does not satisfy a devicetree binding";
            case "unmatched-compatible" -> "No binding documents the node's compatible strings";
            case "fatal" -> "The input cannot be read as DTS or DTB";
            default -> "dtc check " + rule;
        };
    }

    /** A relative path stays relative (SARIF resolves it against the run's directory). */
    private static String uri(String file) {
        try {
            return new URI(null, null, file.replace('\\', '/'), null).toASCIIString();
        } catch (URISyntaxException e) {
            return file;
        }
    }

    private static String junit(List<String> files, List<LintFinding> findings, String tool) {
        Map<String, List<LintFinding>> byFile = new LinkedHashMap<>();
        files.forEach(f -> byFile.put(f, new ArrayList<>()));
        for (LintFinding f : findings) {
            byFile.computeIfAbsent(f.file(), k -> new ArrayList<>()).add(f);
        }
        int total = 0;
        for (List<LintFinding> l : byFile.values()) {
            total += Math.max(1, l.size());
        }
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<testsuites name=\"").append(xml(tool)).append("\" tests=\"").append(total)
                .append("\" failures=\"").append(findings.size()).append("\" errors=\"0\">\n");
        for (Map.Entry<String, List<LintFinding>> e : byFile.entrySet()) {
            List<LintFinding> l = e.getValue();
            String suite = xml(e.getKey());
            sb.append("  <testsuite name=\"").append(suite).append("\" tests=\"").append(Math.max(1, l.size()))
                    .append("\" failures=\"").append(l.size()).append("\" errors=\"0\" skipped=\"0\" time=\"0\">\n");
            if (l.isEmpty()) {
                sb.append("    <testcase name=\"").append(xml(tool)).append("\" classname=\"").append(suite)
                        .append("\" time=\"0\"/>\n");
            }
            for (LintFinding f : l) {
                String name = f.rule() + " " + (f.node() != null ? f.node() : "")
                        + (f.property() != null ? ":" + f.property() : "")
                        + (f.line() != null ? " (" + f.line() + ":" + f.column() + ")" : "");
                sb.append("    <testcase name=\"").append(xml(name.trim())).append("\" classname=\"").append(suite)
                        .append("\" time=\"0\">\n");
                sb.append("      <failure message=\"").append(xml(f.message())).append("\" type=\"")
                        .append(xml(f.rule())).append("\">").append(xml(f.text())).append("</failure>\n");
                sb.append("    </testcase>\n");
            }
            sb.append("  </testsuite>\n");
        }
        return sb.append("</testsuites>\n").toString();
    }

    /** XML 1.0 text: escapes markup and drops characters XML cannot carry. */
    private static String xml(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                            || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000) {
                        sb.appendCodePoint(c);
                    } else {
                        sb.append("\\u").append(String.format("%04x", c));
                    }
                }
            }
        });
        return sb.toString();
    }

    private static String write(Object tree) {
        try {
            return JSON.writeValueAsString(tree) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
