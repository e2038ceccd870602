package dev.gunyahdt.dt.source;

import dev.gunyahdt.dt.diag.DtException;
import dev.gunyahdt.dt.source.DtsParser.*;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Evaluates a cell expression as dtc does: 64-bit unsigned arithmetic, comparisons yielding 0
 * or 1, shifts of 64 or more giving 0, and division by zero an error. Both arms of {@code ?:}
 * are evaluated (dtc's parser computes every subexpression), so an error in either is reported.
 */
final class ExpressionEvaluator {

    private final ToLongFunction<IntegerPrimContext> primary;

    ExpressionEvaluator(ToLongFunction<IntegerPrimContext> primary) {
        this.primary = primary;
    }

    long eval(ExprContext e) {
        if (e instanceof PrimaryContext p) {
            return primary.applyAsLong(p.integerPrim());
        }
        if (e instanceof UnaryContext u) {
            long v = eval(u.expr());
            return switch (u.op.getType()) {
                case DtsLexer.MINUS -> -v;
                case DtsLexer.TILDE -> ~v;
                default -> v == 0 ? 1 : 0;
            };
        }
        if (e instanceof ConditionalContext c) {
            long cond = eval(c.expr(0));
            long a = eval(c.expr(1));
            long b = eval(c.expr(2));
            return cond != 0 ? a : b;
        }
        if (e instanceof LessGreaterContext lg) {
            // "(a < 2 > b)": the lexer took "< 2 >" for a cell list; it is (a < 2) > b.
            List<String> middle = TreeBuilder.plainCells(lg.PLAIN_CELLS().getSymbol());
            if (middle.size() != 1) {
                throw new DtException(TreeBuilder.span(lg.PLAIN_CELLS().getSymbol()), "syntax error");
            }
            long m = TreeBuilder.literal(middle.get(0), lg.PLAIN_CELLS().getSymbol());
            long lt = Long.compareUnsigned(eval(lg.expr(0)), m) < 0 ? 1 : 0;
            return Long.compareUnsigned(lt, eval(lg.expr(1))) > 0 ? 1 : 0;
        }
        long l = eval((ExprContext) e.getChild(0));
        long r = eval((ExprContext) e.getChild(2));
        int op = ((org.antlr.v4.runtime.tree.TerminalNode) e.getChild(1))
                .getSymbol()
                .getType();
        return switch (op) {
            case DtsLexer.STAR -> l * r;
            case DtsLexer.SLASH, DtsLexer.PERCENT -> {
                if (r == 0) {
                    throw new DtException(TreeBuilder.span(e), "Division by zero");
                }
                yield op == DtsLexer.SLASH ? Long.divideUnsigned(l, r) : Long.remainderUnsigned(l, r);
            }
            case DtsLexer.PLUS -> l + r;
            case DtsLexer.MINUS -> l - r;
            case DtsLexer.LSHIFT -> Long.compareUnsigned(r, 64) >= 0 ? 0 : l << r;
            case DtsLexer.RSHIFT -> Long.compareUnsigned(r, 64) >= 0 ? 0 : l >>> r;
            case DtsLexer.LT -> Long.compareUnsigned(l, r) < 0 ? 1 : 0;
            case DtsLexer.GT -> Long.compareUnsigned(l, r) > 0 ? 1 : 0;
            case DtsLexer.LE -> Long.compareUnsigned(l, r) <= 0 ? 1 : 0;
            case DtsLexer.GE -> Long.compareUnsigned(l, r) >= 0 ? 1 : 0;
            case DtsLexer.EQ -> l == r ? 1 : 0;
            case DtsLexer.NE -> l != r ? 1 : 0;
            case DtsLexer.AMP -> l & r;
            case DtsLexer.CARET -> l ^ r;
            case DtsLexer.PIPE -> l | r;
            case DtsLexer.AND -> (l != 0 && r != 0) ? 1 : 0;
            case DtsLexer.OR -> (l != 0 || r != 0) ? 1 : 0;
            default -> throw new IllegalStateException("operator " + op);
        };
    }
}
