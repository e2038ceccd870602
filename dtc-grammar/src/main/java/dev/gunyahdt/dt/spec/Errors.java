package dev.gunyahdt.dt.spec;

import dev.gunyahdt.dt.NodeCursor;
import dev.gunyahdt.dt.Property;
import dev.gunyahdt.dt.diag.DtException;

/** The one shape of a lookup's error: at the property when it has a place, else at its node. */
final class Errors {

    private Errors() {
    }

    static DtException at(NodeCursor c, Property p, String message) {
        return new DtException(p.span() != null ? p.span() : c.node().span(), c.path() + ": " + p.name() + ": " + message);
    }
}
