package dev.gunyahdt.hypervisor.hypercall;

/** One hypercall's implementation: native-order inputs in, result registers out. */
@FunctionalInterface
public interface HypercallHandler {
    HvcResult call(CallContext ctx, HvcArgs in);
}
