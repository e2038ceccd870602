/**
 * The Resource Manager's RPC protocol (reference §8): the 8-byte header ({@link dev.gunyahdt.hypervisor.rm.rpc.RpcHeader}),
 * message types and IDs, fragmentation ({@link dev.gunyahdt.hypervisor.rm.rpc.Fragmenter}) and reassembly of untrusted
 * input ({@link dev.gunyahdt.hypervisor.rm.rpc.Reassembler}), the RM's intake rules
 * ({@link dev.gunyahdt.hypervisor.rm.rpc.RmIntake}) and an endpoint over two message queues of the model
 * ({@link dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint}, {@link dev.gunyahdt.hypervisor.rm.rpc.RpcClient}).
 * The protocol layer only: the RM's services are not built.
 *
 * <p>Reference §0 lists no doc-vs-code difference for the RPC: every fact used here comes from the RM's code
 * (§8's sources). The one §0 row that touches this layer is the message-queue copy-failure quirk (code: OK with
 * nothing moved), which {@link dev.gunyahdt.hypervisor.rm.rpc.RpcEndpoint} guards against.
 */
package dev.gunyahdt.hypervisor.rm.rpc;
