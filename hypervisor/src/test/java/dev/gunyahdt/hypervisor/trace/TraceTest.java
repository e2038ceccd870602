package dev.gunyahdt.hypervisor.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gunyahdt.hypervisor.Fixture;
import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HypError;
import org.junit.jupiter.api.Test;

/** trace_update_class_flags (0x603F) as [HYP] {@code hyp/misc/trace_standard/src/hypercalls.c} does it. */
class TraceTest {
    static final long ERROR = 1L << 0;
    static final long DEBUG = 1L << 1;
    static final long USER = 1L << 2;
    static final long LOG_BUFFER = 1L << 5;
    static final long INFO = 1L << 6;
    static final long PSCI = 1L << 16;

    final Fixture f = new Fixture(1);

    HvcResult update(long set, long clear) {
        return f.call(TraceCalls.UPDATE_CLASS_FLAGS, set, clear, 0);
    }

    @Test
    void setThenClearThePublicClassesAndReturnTheWord() {
        // the production build's boot classes: ERROR, USER, INFO
        assertEquals(ERROR | USER | INFO, update(0, 0).x1());
        assertEquals(ERROR | USER | INFO | DEBUG | PSCI, update(DEBUG | PSCI, 0).x1());
        assertEquals(ERROR | DEBUG | PSCI, update(0, USER | INFO).x1());
        // set wins over clear in one call (new = old & ~clear | set)
        assertEquals(ERROR | DEBUG | PSCI | USER, update(USER, USER).x1());
        assertEquals(
                ERROR | DEBUG | PSCI | USER,
                f.hv.snapshot().stream()
                        .filter(l -> l.startsWith("trace classes="))
                        .map(l -> Long.parseLong(l.substring("trace classes=".length()), 16))
                        .findFirst()
                        .orElseThrow());
    }

    @Test
    void errorAndLogBufferAreNotTheCallersToChange() {
        assertEquals(ERROR | USER | INFO, update(LOG_BUFFER, ERROR).x1());
        assertEquals(ERROR, update(0, -1L).x1(), "ERROR stays set");
        assertEquals(-1L & ~LOG_BUFFER, update(-1L, 0).x1());
    }

    @Test
    void anyCallerMayCallItWithoutACapOnlyTheRes0InputIsChecked() {
        // no cap and no right is looked up: a VM with an empty cspace changes the hypervisor-wide word
        var vm = f.newVm("vm");
        HvcResult r = f.hv.call(vm.caller(), TraceCalls.UPDATE_CLASS_FLAGS, DEBUG, 0, 0);
        assertEquals(HypError.OK, r.error());
        assertEquals(ERROR | USER | INFO | DEBUG, update(0, 0).x1());
        assertEquals(
                HypError.ARGUMENT_INVALID,
                f.call(TraceCalls.UPDATE_CLASS_FLAGS, 0, 0, 1).error());
    }
}
