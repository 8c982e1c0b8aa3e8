package dev.saekit.spark;

import dev.saekit.parallel.SocketRing;
import java.time.Duration;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * How the tasks of a barrier stage form an all-reduce ring: each opens a listening socket, they
 * exchange the addresses once through {@code allGather} (Spark's only collective, about a second),
 * and each connects to the next. Every sum after that goes over these connections.
 */
final class Rendezvous {
    private Rendezvous() {}

    /** Joins the ring of this stage's tasks as task {@code rank}. */
    static SocketRing join(BarrierTaskContext context, int rank, Duration timeout) {
        String host = context.getTaskInfos()[context.partitionId()].address();
        int colon = host.lastIndexOf(':');
        if (colon > 0) {
            host = host.substring(0, colon); // the executor's host:port: the host other executors reach
        }
        SocketRing.Listener listener = SocketRing.listen(null);
        List<String> addresses = List.of(context.allGather(listener.address(host)));
        return SocketRing.join(listener, rank, addresses, timeout);
    }
}
