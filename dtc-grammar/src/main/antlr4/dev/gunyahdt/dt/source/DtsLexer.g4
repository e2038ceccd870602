/*
 * The DTS lexer, written from the devicetree specification's source-format chapter and dtc's
 * documented behaviour. Like dtc it is context sensitive: after '{' or ';' the next word is a
 * node or property name (which may start with a digit or '#', and may contain ',' '+' '@' …),
 * everywhere else words are numbers, labels and references. The NAME mode is that context.
 */
lexer grammar DtsLexer;

// The C preprocessor's line markers (# 12 "file.dtsi") never reach this lexer: LineMap takes
// them out of the text first and maps every token's line back to its original file.

// ---- default mode: values, expressions, top-level keywords ---------------------------------

WS              : [ \t\r\n\f]+ -> skip;
BLOCK_COMMENT   : '/*' .*? '*/' -> skip;
LINE_COMMENT    : '//' ~[\r\n]* -> skip;

DTS_V1          : '/dts-v1/';
PLUGIN          : '/plugin/';
MEMRESERVE      : '/memreserve/';
BITS            : '/bits/';
DELETE_PROPERTY : '/delete-property/' -> mode(NAME);
DELETE_NODE     : '/delete-node/' -> mode(NAME);
OMIT_IF_NO_REF  : '/omit-if-no-ref/' -> mode(NAME);
INCBIN          : '/incbin/';
INCLUDE         : '/include/';

LABEL           : LABEL_TEXT ':';
REF             : '&' LABEL_TEXT | '&{/' PATH_CHAR* '}';
INT_LITERAL     : INT_TEXT;
// The commonest value by far, "<0x0 0x1000>", as one token: most of a board's tokens are the
// literals of such lists, and the parser need not see them one by one. Anything else in
// angle brackets (references, labels, expressions, comments) falls back to LT … GT.
PLAIN_CELLS     : '<' ([ \t\r\n\f]* INT_TEXT)+ [ \t\r\n\f]* '>';
// As in dtc, a character literal may span a line break (its own lexer's '([^']|\\')*'), but
// '\\' is an escaped backslash here, where dtc's rule reads on to the next quote (README).
CHAR_LITERAL    : '\'' (~['\\] | '\\' .)* '\'';
STRING          : '"' (~["\\] | '\\' .)* '"';

LSHIFT : '<<';
RSHIFT : '>>';
LE     : '<=';
GE     : '>=';
EQ     : '==';
NE     : '!=';
AND    : '&&';
OR     : '||';

LBRACE    : '{' -> mode(NAME);
SEMI      : ';' -> mode(NAME);
RBRACE    : '}';
LBRACKET  : '[' -> pushMode(BYTES);
LT        : '<';
GT        : '>';
LPAREN    : '(';
RPAREN    : ')';
EQUALS    : '=';
COMMA     : ',';
SLASH     : '/';
PLUS      : '+';
MINUS     : '-';
STAR      : '*';
PERCENT   : '%';
AMP       : '&';
PIPE      : '|';
CARET     : '^';
TILDE     : '~';
BANG      : '!';
QUESTION  : '?';
COLON     : ':';
// Anything else is a lexical error the parser reports with its position.
BAD_CHAR  : . ;

fragment INT_TEXT : ([0-9]+ | '0' [xX] [0-9a-fA-F]+) [uUlL]*;
fragment LABEL_TEXT : [a-zA-Z_] [a-zA-Z0-9_]*;
fragment PROPNODE_CHAR : [a-zA-Z0-9,._+*#?@-];
fragment PATH_CHAR : PROPNODE_CHAR | '/';

// ---- NAME mode: the next word is a node or property name ------------------------------------
mode NAME;

N_WS            : [ \t\r\n\f]+ -> skip;
N_BLOCK_COMMENT : '/*' .*? '*/' -> skip;
N_LINE_COMMENT  : '//' ~[\r\n]* -> skip;
N_DTS_V1        : '/dts-v1/' -> type(DTS_V1), mode(DEFAULT_MODE);
N_PLUGIN        : '/plugin/' -> type(PLUGIN);
N_MEMRESERVE    : '/memreserve/' -> type(MEMRESERVE), mode(DEFAULT_MODE);
N_DELETE_PROP   : '/delete-property/' -> type(DELETE_PROPERTY);
N_DELETE_NODE   : '/delete-node/' -> type(DELETE_NODE);
N_OMIT          : '/omit-if-no-ref/' -> type(OMIT_IF_NO_REF);
N_INCLUDE       : '/include/' -> type(INCLUDE);
N_LABEL         : LABEL_TEXT ':' -> type(LABEL);
N_REF           : ('&' LABEL_TEXT | '&{/' PATH_CHAR* '}') -> type(REF);
PROPNODENAME    : '\\'? PROPNODE_CHAR+ -> mode(DEFAULT_MODE);
N_STRING        : '"' (~["\\] | '\\' .)* '"' -> type(STRING);
N_LBRACE        : '{' -> type(LBRACE);
N_SEMI          : ';' -> type(SEMI);
N_RBRACE        : '}' -> type(RBRACE);
N_SLASH         : '/' -> type(SLASH);
N_EQUALS        : '=' -> type(EQUALS), mode(DEFAULT_MODE);
N_BAD_CHAR      : . -> type(BAD_CHAR);

// ---- BYTES mode: inside [ ... ], pairs of hex digits ----------------------------------------
mode BYTES;

B_WS            : [ \t\r\n\f]+ -> skip;
B_BLOCK_COMMENT : '/*' .*? '*/' -> skip;
B_LINE_COMMENT  : '//' ~[\r\n]* -> skip;
BYTE            : [0-9a-fA-F] [0-9a-fA-F];
B_LABEL         : LABEL_TEXT ':' -> type(LABEL);
RBRACKET        : ']' -> popMode;
B_BAD_CHAR      : . -> type(BAD_CHAR);
