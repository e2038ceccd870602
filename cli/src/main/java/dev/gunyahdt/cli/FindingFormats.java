package dev.gunyahdt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gunyahdt.dt.diag.Finding;
import dev.gunyahdt.dt.diag.Severity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output formats of findings ({@code lint}, {@code check-bindings}, {@code partition}, {@code build},
 * {@code vm-check}): text (one line a finding), JSON (an array of finding objects), SARIF 2.1.0 (one run)
 * and JUnit XML (one testsuite per input file, one testcase per finding, a passing testcase for a clean file).
 */
final class FindingFormats {

    enum Format {
        TEXT, JSON, SARIF, JUNIT,
        /** dt-validate's lines, for the {@code dt-validate} drop-in: binding findings only (dtc prints its own). */
        DTVALIDATE;

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

    /**
     * {@code byInput}: every input in order (JUnit needs the clean ones too) with its findings (a
     * finding may sit in a file the input includes); {@code failOn}: {@code error} or {@code warning},
     * which findings are JUnit failures.
     */
    static String render(Format format, Map<String, List<Finding>> byInput, String tool, String failOn) {
        List<Finding> findings = byInput.values().stream().flatMap(List::stream).toList();
        return switch (format) {
            case TEXT -> text(findings);
            case JSON -> json(findings);
            case SARIF -> sarif(findings, tool);
            case JUNIT -> junit(byInput, tool, failOn);
            case DTVALIDATE -> dtValidate(findings);
        };
    }

    /** Findings grouped by the file they name, {@code files} first in order (clean ones with none). */
    static Map<String, List<Finding>> byFile(List<String> files, List<Finding> findings) {
        Map<String, List<Finding>> byFile = new LinkedHashMap<>();
        files.forEach(f -> byFile.put(f, new ArrayList<>()));
        for (Finding f : findings) {
            byFile.computeIfAbsent(f.file(), k -> new ArrayList<>()).add(f);
        }
        return byFile;
    }

    /** {@code N file(s), E error(s), W warning(s) in T s}: what a long run comes to. */
    static String summary(int files, List<Finding> findings, double seconds) {
        long errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).count();
        return String.format(Locale.ROOT, "%d file%s, %d error%s, %d warning%s in %.1f s", files, files == 1 ? "" : "s",
                errors, errors == 1 ? "" : "s", findings.size() - errors, findings.size() - errors == 1 ? "" : "s",
                seconds);
    }

    /**
     * {@code FILE: NODE: [PROPERTY: ]MESSAGE} and a {@code \tFrom schema: BINDING} line, as dt-validate
     * prints a failure (it names the node by its name; the full path here), and -m's
     * "failed to match any schema with compatible" line.
     */
    private static String dtValidate(List<Finding> findings) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : findings) {
            switch (f.rule()) {
                case "schema" -> {
                    sb.append(f.file()).append(": ").append(f.node()).append(": ");
                    if (f.property() != null && !f.message().startsWith("'" + f.property() + "'")) {
                        sb.append(f.property()).append(": ");
                    }
                    sb.append(f.message()).append('\n');
                    for (String b : f.bindings()) {
                        sb.append("\tFrom schema: ").append(b).append('\n');
                    }
                }
                case "unmatched-compatible" -> sb.append(f.file()).append(": ").append(f.node())
                        .append(": failed to match any schema with compatible: ")
                        .append(f.message().substring(f.message().indexOf('\'')).replaceAll("^(.*)$", "[$1]"))
                        .append('\n');
                case "fatal" -> sb.append(f.file()).append(": ").append(f.message()).append('\n');
                default -> {
                    // dtc's checks: dtc printed them when it built the blob
                }
            }
        }
        return sb.toString();
    }

    private static String text(List<Finding> findings) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : findings) {
            sb.append(f.text()).append('\n');
        }
        return sb.toString();
    }

    static ObjectNode jsonObject(Finding f) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", f.file());
        o.put("line", f.line());
        o.put("column", f.column());
        o.put("node", f.node());
        o.put("property", f.property());
        o.put("severity", f.severity().word());
        o.put("rule", f.rule());
        o.put("schema", f.schema());
        o.put("constraint", f.constraint());
        o.put("schemaLocation", f.schemaLocation());
        o.put("message", f.message());
        ArrayNode bindings = o.putArray("bindings");
        f.bindings().forEach(bindings::add);
        return o;
    }

    private static String json(List<Finding> findings) {
        ArrayNode a = JSON.createArrayNode();
        findings.forEach(f -> a.add(jsonObject(f)));
        return write(a);
    }

    private static String sarif(List<Finding> findings, String tool) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "gunyah-dt");
        driver.put("version", Main.version());
        ArrayNode rules = driver.putArray("rules");
        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        for (Finding f : findings) {
            if (!ruleIndex.containsKey(f.ruleId())) {
                ruleIndex.put(f.ruleId(), ruleIndex.size());
                ObjectNode r = rules.addObject();
                r.put("id", f.ruleId());
                RuleHelp.Help h = RuleHelp.of(f.rule(), f.constraint());
                r.putObject("shortDescription").put("text", h.summary());
                r.putObject("help").put("text", h.help());
                r.putObject("defaultConfiguration").put("level", f.severity() == Severity.ERROR ? "error" : "warning");
            }
        }
        ArrayNode results = run.putArray("results");
        for (Finding f : findings) {
            ObjectNode r = results.addObject();
            r.put("ruleId", f.ruleId());
            r.put("ruleIndex", ruleIndex.get(f.ruleId()));
            r.put("level", f.severity() == Severity.ERROR ? "error" : "warning");
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
            ArrayNode bindings = props.putArray("bindings");
            f.bindings().forEach(bindings::add);
        }
        return write(root);
    }

    /** A relative path stays relative (SARIF resolves it against the run's directory). */
    private static String uri(String file) {
        try {
            return new URI(null, null, file.replace('\\', '/'), null).toASCIIString();
        } catch (URISyntaxException e) {
            return file;
        }
    }

    /**
     * One {@code <testsuite>} per input with its findings (those in files it includes too); a finding
     * that fails the run is a {@code <failure>}, a warning below {@code failOn} a passing testcase
     * with the finding as its {@code <system-out>}; a clean input is one passing testcase.
     */
    private static String junit(Map<String, List<Finding>> byInput, String tool, String failOn) {
        int total = 0;
        int failures = 0;
        for (List<Finding> l : byInput.values()) {
            total += Math.max(1, l.size());
            failures += (int) l.stream().filter(f -> f.fails(failOn)).count();
        }
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<testsuites name=\"").append(xml(tool)).append("\" tests=\"").append(total)
                .append("\" failures=\"").append(failures).append("\" errors=\"0\">\n");
        for (Map.Entry<String, List<Finding>> e : byInput.entrySet()) {
            List<Finding> l = e.getValue();
            String suite = xml(e.getKey());
            long failed = l.stream().filter(f -> f.fails(failOn)).count();
            sb.append("  <testsuite name=\"").append(suite).append("\" tests=\"").append(Math.max(1, l.size()))
                    .append("\" failures=\"").append(failed).append("\" errors=\"0\" skipped=\"0\" time=\"0\">\n");
            if (l.isEmpty()) {
                sb.append("    <testcase name=\"").append(xml(tool)).append("\" classname=\"").append(suite)
                        .append("\" time=\"0\"/>\n");
            }
            for (Finding f : l) {
                String where = f.file().equals(e.getKey()) ? "" : f.file() + ":";
                String name = f.ruleId() + " " + (f.node() != null ? f.node() : "")
                        + (f.property() != null ? ":" + f.property() : "")
                        + (f.line() != null ? " (" + where + f.line() + ":" + f.column() + ")" : "");
                sb.append("    <testcase name=\"").append(xml(name.trim())).append("\" classname=\"").append(suite)
                        .append("\" time=\"0\">\n");
                if (f.fails(failOn)) {
                    sb.append("      <failure message=\"").append(xml(f.message())).append("\" type=\"")
                            .append(xml(f.ruleId())).append("\">").append(xml(f.text())).append("</failure>\n");
                } else {
                    sb.append("      <system-out>").append(xml(f.text())).append("</system-out>\n");
                }
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
