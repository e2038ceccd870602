/**
 * The Resource Manager's RPC protocol (docs/gunyah-model.md §8): the 8-byte header
 * ({@link dev.gunyahdt.hypervisor.rm.rpc.RpcHeader}), message types and IDs ({@link dev.gunyahdt.hypervisor.rm.rpc.MessageId}),
 * RM error codes ({@link dev.gunyahdt.hypervisor.rm.rpc.RmError}), fragmentation ({@link dev.gunyahdt.hypervisor.rm.rpc.Fragmenter})
 * and reassembly of untrusted input ({@link dev.gunyahdt.hypervisor.rm.rpc.Reassembler}), the RM's intake rules
 * ({@link dev.gunyahdt.hypervisor.rm.rpc.RmIntake}), the RM's sending side towards one client with its reply-first
 * rule and notification limit ({@link dev.gunyahdt.hypervisor.rm.rpc.RmLink}), and endpoints over two message
 * queues of the model ({@link dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint}, {@link dev.gunyahdt.hypervisor.rm.rpc.RpcClient}).
 * The wire only: the RM's services that answer these messages are in {@code dev.gunyahdt.hypervisor.rm}, and the
 * guest programs in {@code .guest} are clients.
 *
 * <p>docs/gunyah-model.md §0 lists no doc-vs-code difference for the RPC: every fact used here comes from the RM's
 * code (§8's sources). The one §0 row that touches this layer is the message-queue copy-failure quirk (code: OK with
 * nothing moved, §3.6), which {@link dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint} guards against. "Reference §N" in
 * this package's comments is docs/gunyah-model.md §N.
 */
package dev.gunyahdt.hypervisor.rm.rpc;
