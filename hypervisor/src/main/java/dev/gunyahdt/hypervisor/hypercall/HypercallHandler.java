package dev.gunyahdt.hypervisor.hypercall;

import dev.gunyahdt.hypervisor.call.HvcResult;
import dev.gunyahdt.hypervisor.call.HvcArgs;
/** One hypercall's implementation: native-order inputs in, result registers out. */
@FunctionalInterface
public interface HypercallHandler {
    HvcResult call(CallContext ctx, HvcArgs in);
}
