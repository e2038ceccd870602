package dev.gunyahdt.hypervisor.rm.overlay;

/**
 * The VM's view of a bidirectional message-queue pair (the RM-RPC link or a message-queue-pair
 * vdevice): the two capability IDs in the VM's cspace, the two VIRQs, sizes and depths.
 *
 * @param txCap   CapID of the queue the VM sends on (SEND right)
 * @param rxCap   CapID of the queue the VM receives from (RECEIVE right)
 * @param txVirq  the VM's "space available" VIRQ of the TX queue
 * @param rxVirq  the VM's "message available" VIRQ of the RX queue
 * @param txMessageSize bytes per message, TX queue
 * @param rxMessageSize bytes per message, RX queue
 * @param txQueueDepth  messages, TX queue
 * @param rxQueueDepth  messages, RX queue
 */
public record QueuePair(
        long txCap,
        long rxCap,
        Virq txVirq,
        Virq rxVirq,
        int txMessageSize,
        int rxMessageSize,
        int txQueueDepth,
        int rxQueueDepth) {

    /** The RM's defaults (§9.5): 240-byte messages, depth 8. */
    public static final int DEFAULT_MESSAGE_SIZE = 240;

    public static final int DEFAULT_QUEUE_DEPTH = 8;

    public QueuePair {
        if (txVirq == null || rxVirq == null) {
            throw new IllegalArgumentException("a queue pair needs both VIRQs");
        }
    }

    /** A pair with the default size and depth in both directions. */
    public static QueuePair withDefaults(long txCap, long rxCap, Virq txVirq, Virq rxVirq) {
        return new QueuePair(
                txCap,
                rxCap,
                txVirq,
                rxVirq,
                DEFAULT_MESSAGE_SIZE,
                DEFAULT_MESSAGE_SIZE,
                DEFAULT_QUEUE_DEPTH,
                DEFAULT_QUEUE_DEPTH);
    }
}
