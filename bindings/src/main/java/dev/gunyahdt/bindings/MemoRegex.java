package dev.gunyahdt.bindings;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * networknt's JDK regular expressions ({@code find}, as JSON Schema's unanchored {@code pattern}),
 * with each pattern's verdicts remembered. Speed, same answers: a lint run tries the same few
 * thousand property names against the same {@code patternProperties} on every node of every tree
 * (a fifth of lint's time went to matching before). Each pattern remembers a bounded number of
 * inputs, so odd string values cannot grow it without limit.
 */
final class MemoRegex implements RegularExpressionFactory {

    private static final int REMEMBERED = 4096;

    /** One compiled expression per pattern text: bindings repeat the same patterns. */
    private final Map<String, RegularExpression> compiled = new ConcurrentHashMap<>();

    @Override
    public RegularExpression getRegularExpression(String regex) {
        return compiled.computeIfAbsent(regex, Memo::new);
    }

    private static final class Memo implements RegularExpression {
        private final Pattern pattern;
        private final Map<String, Boolean> seen = new ConcurrentHashMap<>();

        Memo(String regex) {
            this.pattern = Pattern.compile(regex);
        }

        @Override
        public boolean matches(String value) {
            Boolean known = seen.get(value);
            if (known != null) {
                return known;
            }
            boolean found = pattern.matcher(value).find();
            if (seen.size() < REMEMBERED) {
                seen.put(value, found);
            }
            return found;
        }
    }
}
