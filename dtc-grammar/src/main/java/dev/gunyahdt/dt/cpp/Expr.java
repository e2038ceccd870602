package dev.gunyahdt.dt.cpp;

import java.util.List;

/**
 * Evaluates a macro-expanded {@code #if} expression as GCC does: 64-bit integers, unsigned when
 * an operand is, short-circuit operators skip errors in unevaluated operands, identifiers that
 * remain are 0, char constants have plain (signed) char values.
 */
final class Expr {

    /** Raised for a malformed expression; the caller adds the position. */
    static final class Failure extends RuntimeException {
        final Token at;

        Failure(Token at, String message) {
            super(message, null, false, false);
            this.at = at;
        }
    }

    private record Val(long v, boolean uns) {}

    private final List<Token> toks;
    private int pos;

    private Expr(List<Token> toks) {
        this.toks = toks;
    }

    static boolean eval(List<Token> toks) {
        Expr e = new Expr(toks);
        if (toks.isEmpty()) throw new Failure(null, "#if with no expression");
        Val v = e.comma(true);
        if (e.pos < toks.size()) {
            Token t = toks.get(e.pos);
            throw new Failure(
                    t,
                    t.is(")")
                            ? "missing '(' in expression"
                            : "missing binary operator before token \"" + t.text + "\"");
        }
        return v.v != 0;
    }

    private Token peek() {
        return pos < toks.size() ? toks.get(pos) : null;
    }

    private boolean accept(String op) {
        Token t = peek();
        if (t != null && t.is(op)) {
            pos++;
            return true;
        }
        return false;
    }

    private Val comma(boolean ev) {
        Val v = cond(ev);
        while (accept(",")) v = cond(ev);
        return v;
    }

    private Val cond(boolean ev) {
        Val c = binary(1, ev);
        if (!accept("?")) return c;
        boolean which = c.v != 0;
        Val a = comma(ev && which);
        if (!accept(":")) throw new Failure(peek(), "'?' without following ':'");
        Val b = cond(ev && !which);
        boolean uns = a.uns || b.uns;
        return new Val(which ? a.v : b.v, uns);
    }

    private static int prec(Token t) {
        if (t == null || t.kind != Token.PUNCT) return -1;
        return switch (t.text) {
            case "||" -> 1;
            case "&&" -> 2;
            case "|" -> 3;
            case "^" -> 4;
            case "&" -> 5;
            case "==", "!=" -> 6;
            case "<", ">", "<=", ">=" -> 7;
            case "<<", ">>" -> 8;
            case "+", "-" -> 9;
            case "*", "/", "%" -> 10;
            default -> -1;
        };
    }

    private Val binary(int minPrec, boolean ev) {
        Val l = unary(ev);
        for (; ; ) {
            Token op = peek();
            int p = prec(op);
            if (p < minPrec) return l;
            pos++;
            if (peek() == null) throw new Failure(op, "operator '" + op.text + "' has no right operand");
            if (p == 1) {
                Val r = binary(p + 1, ev && l.v == 0);
                l = new Val(l.v != 0 || r.v != 0 ? 1 : 0, false);
            } else if (p == 2) {
                Val r = binary(p + 1, ev && l.v != 0);
                l = new Val(l.v != 0 && r.v != 0 ? 1 : 0, false);
            } else {
                Val r = binary(p + 1, ev);
                l = apply(op, l, r, ev);
            }
        }
    }

    private static Val apply(Token op, Val l, Val r, boolean ev) {
        boolean uns = l.uns || r.uns;
        long a = l.v, b = r.v;
        return switch (op.text) {
            case "|" -> new Val(a | b, uns);
            case "^" -> new Val(a ^ b, uns);
            case "&" -> new Val(a & b, uns);
            case "==" -> new Val(a == b ? 1 : 0, false);
            case "!=" -> new Val(a != b ? 1 : 0, false);
            case "<" -> new Val((uns ? Long.compareUnsigned(a, b) : Long.compare(a, b)) < 0 ? 1 : 0, false);
            case ">" -> new Val((uns ? Long.compareUnsigned(a, b) : Long.compare(a, b)) > 0 ? 1 : 0, false);
            case "<=" -> new Val((uns ? Long.compareUnsigned(a, b) : Long.compare(a, b)) <= 0 ? 1 : 0, false);
            case ">=" -> new Val((uns ? Long.compareUnsigned(a, b) : Long.compare(a, b)) >= 0 ? 1 : 0, false);
            case "<<" -> new Val(shift(a, l.uns, b, r.uns, true), l.uns);
            case ">>" -> new Val(shift(a, l.uns, b, r.uns, false), l.uns);
            case "+" -> new Val(a + b, uns);
            case "-" -> new Val(a - b, uns);
            case "*" -> new Val(a * b, uns);
            case "/", "%" -> {
                if (b == 0) {
                    if (ev) throw new Failure(op, "division by zero in #if");
                    yield new Val(0, uns);
                }
                boolean div = op.text.equals("/");
                if (uns) yield new Val(div ? Long.divideUnsigned(a, b) : Long.remainderUnsigned(a, b), true);
                yield new Val(div ? a / b : a % b, false);
            }
            default -> throw new Failure(op, "token \"" + op.text + "\" is not valid in preprocessor expressions");
        };
    }

    /** GCC's shifts: a negative signed count shifts the other way; 64 or more shifts everything out. */
    private static long shift(long a, boolean aUns, long n, boolean nUns, boolean left) {
        if (!nUns && n < 0) {
            left = !left;
            n = n == Long.MIN_VALUE ? Long.MAX_VALUE : -n;
        }
        boolean big = nUns ? Long.compareUnsigned(n, 64) >= 0 : n >= 64;
        if (left) return big ? 0 : a << n;
        if (big) return (!aUns && a < 0) ? -1 : 0;
        return aUns ? a >>> n : a >> n;
    }

    private Val unary(boolean ev) {
        Token t = peek();
        if (t == null) throw new Failure(null, "#if with no expression");
        if (t.kind == Token.PUNCT) {
            switch (t.text) {
                case "+" -> {
                    pos++;
                    return unary(ev);
                }
                case "-" -> {
                    pos++;
                    Val v = unary(ev);
                    return new Val(-v.v, v.uns);
                }
                case "~" -> {
                    pos++;
                    Val v = unary(ev);
                    return new Val(~v.v, v.uns);
                }
                case "!" -> {
                    pos++;
                    Val v = unary(ev);
                    return new Val(v.v == 0 ? 1 : 0, false);
                }
                case "(" -> {
                    pos++;
                    Val v = comma(ev);
                    if (!accept(")")) throw new Failure(peek(), "missing ')' in expression");
                    return v;
                }
                default -> throw new Failure(t, "token \"" + t.text + "\" is not valid in preprocessor expressions");
            }
        }
        pos++;
        return switch (t.kind) {
            case Token.NUMBER -> number(t);
            case Token.CHAR -> charConst(t);
            case Token.IDENT -> new Val(0, false);
            default -> throw new Failure(t, "token \"" + t.text + "\" is not valid in preprocessor expressions");
        };
    }

    private static Val number(Token t) {
        String s = t.text;
        int end = s.length();
        while (end > 0 && "uUlL".indexOf(s.charAt(end - 1)) >= 0) end--;
        String suffix = s.substring(end).toLowerCase();
        String body = s.substring(0, end);
        boolean hex = body.length() > 2 && body.charAt(0) == '0' && (body.charAt(1) == 'x' || body.charAt(1) == 'X');
        boolean bin = body.length() > 2 && body.charAt(0) == '0' && (body.charAt(1) == 'b' || body.charAt(1) == 'B');
        if (!hex && (body.indexOf('.') >= 0 || body.indexOf('e') >= 0 || body.indexOf('E') >= 0)
                || (hex && (body.indexOf('.') >= 0 || body.indexOf('p') >= 0 || body.indexOf('P') >= 0))) {
            throw new Failure(t, "floating constant in preprocessor expression");
        }
        boolean okSuffix = switch (suffix) {
            case "", "u", "l", "ul", "lu", "ll", "ull", "llu" ->
                !(s.substring(end).contains("lL") || s.substring(end).contains("Ll"));
            default -> false;
        };
        if (!okSuffix) throw new Failure(t, "invalid suffix \"" + s.substring(end) + "\" on integer constant");
        int radix = hex ? 16 : bin ? 2 : (body.length() > 1 && body.charAt(0) == '0') ? 8 : 10;
        int from = hex || bin ? 2 : 0;
        if (from >= body.length() && radix != 10 && radix != 8)
            throw new Failure(t, "invalid suffix \"" + s.substring(1) + "\" on integer constant");
        long v = 0;
        boolean overflow = false;
        for (int i = from; i < body.length(); i++) {
            int d = Character.digit(body.charAt(i), radix);
            if (d < 0) {
                if (radix == 8 && Character.isDigit(body.charAt(i)))
                    throw new Failure(t, "invalid digit \"" + body.charAt(i) + "\" in octal constant");
                if (radix == 2 && Character.isDigit(body.charAt(i)))
                    throw new Failure(t, "invalid digit \"" + body.charAt(i) + "\" in binary constant");
                throw new Failure(
                        t, "invalid suffix \"" + body.substring(i) + s.substring(end) + "\" on integer constant");
            }
            long next = v * radix + d;
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, radix)) > 0
                    || Long.compareUnsigned(next, v * radix) < 0) overflow = true;
            v = next;
        }
        boolean uns = suffix.contains("u") || v < 0 || overflow;
        return new Val(v, uns);
    }

    private static Val charConst(Token t) {
        String s = t.text;
        boolean wide = s.charAt(0) == 'L';
        int i = wide ? 2 : 1;
        int end = s.length() - 1;
        long result = 0;
        int count = 0;
        while (i < end) {
            long ch;
            char c = s.charAt(i++);
            if (c == '\\' && i < end) {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> ch = 10;
                    case 't' -> ch = 9;
                    case 'r' -> ch = 13;
                    case 'a' -> ch = 7;
                    case 'b' -> ch = 8;
                    case 'f' -> ch = 12;
                    case 'v' -> ch = 11;
                    case 'e', 'E' -> ch = 27;
                    case 'x' -> {
                        long v = 0;
                        while (i < end && Character.digit(s.charAt(i), 16) >= 0)
                            v = (v << 4) | Character.digit(s.charAt(i++), 16);
                        ch = v;
                    }
                    default -> {
                        if (e >= '0' && e <= '7') {
                            long v = e - '0';
                            for (int k = 0; k < 2 && i < end && s.charAt(i) >= '0' && s.charAt(i) <= '7'; k++)
                                v = v * 8 + (s.charAt(i++) - '0');
                            ch = v;
                        } else {
                            ch = e;
                        }
                    }
                }
            } else {
                ch = c;
            }
            if (wide) {
                result = ch & 0xffffffffL;
            } else {
                result = (result << 8) | (ch & 0xff);
            }
            count++;
        }
        if (count == 0) throw new Failure(t, "empty character constant");
        if (wide) return new Val((int) result, false);
        if (count == 1) return new Val((byte) result, false);
        return new Val((int) result, false);
    }
}
