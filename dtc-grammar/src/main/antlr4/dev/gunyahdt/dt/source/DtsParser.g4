/*
 * The DTS grammar (dts-v1), written from the devicetree specification's source-format chapter
 * and dtc's documented behaviour. The parse tree is turned into a DeviceTree by TreeBuilder;
 * merging, deletion and /plugin/ fragment expansion happen there, not here.
 */
parser grammar DtsParser;

options { tokenVocab = DtsLexer; }

dtsFile     : header+ memreserve* topItem+ EOF ;

header      : DTS_V1 SEMI (PLUGIN SEMI)? ;

memreserve  : LABEL* MEMRESERVE addr=integerPrim size=integerPrim SEMI ;

// The first definition of the tree, later merges into it, and top-level edits by reference.
// dtc allows only "/ { }" or (in a plugin) "&ref { }" first; TreeBuilder enforces that.
// Labels (and /omit-if-no-ref/) before a /delete-…/ are allowed and have no effect, as in dtc.
topItem     : SLASH nodeBody                               # rootNode
            | LABEL? REF nodeBody                          # refNode
            | DELETE_NODE REF SEMI                         # deleteNodeByRef
            | OMIT_IF_NO_REF REF SEMI                      # omitNodeByRef
            ;

// Properties must precede subnodes; the builder reports the violation with its position.
nodeBody    : LBRACE (propDef | subnode)* RBRACE SEMI ;

propDef     : LABEL* PROPNODENAME (EQUALS propValue)? SEMI # property
            | LABEL* DELETE_PROPERTY PROPNODENAME SEMI     # deleteProperty
            ;

subnode     : (LABEL | OMIT_IF_NO_REF)* PROPNODENAME nodeBody  # childNode
            | (LABEL | OMIT_IF_NO_REF)* DELETE_NODE PROPNODENAME SEMI  # deleteChild
            ;

// Comma-joined chunks; labels may sit before, between and after them.
propValue   : LABEL* chunk (LABEL* COMMA LABEL* chunk)* LABEL* ;

chunk       : STRING                                                              # stringChunk
            | (BITS bits=INT_LITERAL)? (PLAIN_CELLS | LT cell* GT)                # cellChunk
            | LBRACKET byteItem* RBRACKET                                         # byteChunk
            | REF                                                                 # pathRefChunk
            | INCBIN LPAREN STRING (COMMA offset=integerPrim COMMA length=integerPrim)? RPAREN  # incbinChunk
            ;

cell        : integerPrim | REF | LABEL ;
byteItem    : BYTE | LABEL ;

integerPrim : INT_LITERAL
            | CHAR_LITERAL
            | LPAREN expr RPAREN
            ;

// C operator precedence; evaluated in 64-bit unsigned arithmetic by the builder.
expr        : integerPrim                                  # primary
            | op=(MINUS | TILDE | BANG) expr               # unary
            | expr op=(STAR | SLASH | PERCENT) expr        # multiplicative
            | expr op=(PLUS | MINUS) expr                  # additive
            | expr op=(LSHIFT | RSHIFT) expr               # shift
            | expr op=(LT | GT | LE | GE) expr             # relational
            | expr PLAIN_CELLS expr                        # lessGreater   // "(a < 2 > b)" lexed as one token
            | expr op=(EQ | NE) expr                       # equality
            | expr AMP expr                                # bitAnd
            | expr CARET expr                              # bitXor
            | expr PIPE expr                               # bitOr
            | expr AND expr                                # logicalAnd
            | expr OR expr                                 # logicalOr
            | <assoc = right> expr QUESTION expr COLON expr # conditional
            ;
