package dev.gunyahdt.dt.cpp;

/**
 * A macro definition, immutable and shared across runs.
 *
 * @param name      its name
 * @param funLike   defined with a parameter list
 * @param params    parameter names ("__VA_ARGS__" for a bare "...")
 * @param variadic  the last parameter takes the rest of the arguments
 * @param body      the replacement list; parameters are {@link Token#MACRO_ARG} tokens
 * @param builtin   a dynamic macro (__FILE__, __LINE__, …) or null
 */
record Macro(String name, boolean funLike, String[] params, boolean variadic, Token[] body, String builtin) {

    static Macro builtin(String name) {
        return new Macro(name, false, new String[0], false, new Token[0], name);
    }
}
