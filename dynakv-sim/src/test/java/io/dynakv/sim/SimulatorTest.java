package io.dynakv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.cluster.membership.MembershipTransport;
import io.dynakv.cluster.membership.Ping;
import io.dynakv.common.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator's own machinery: ordering, drifting clocks, network faults, crashes. */
class SimulatorTest {

    private static final NodeId A = new NodeId(1);
    private static final NodeId B = new NodeId(2);

    @Test
    void eventsRunInTimeThenSchedulingOrder() {
        Simulator sim = new Simulator(1);
        List<String> order = new ArrayList<>();
        sim.schedule(5, () -> order.add("b"));
        sim.schedule(5, () -> order.add("c"));
        sim.schedule(1, () -> order.add("a"));
        sim.schedule(9, () -> order.add("x")).cancel();
        sim.runFor(10);
        assertThat(order).containsExactly("a", "b", "c");
        assertThat(sim.nowNanos()).isEqualTo(10);
    }

    @Test
    void aDriftingClockRunsFastAndItsTimersFireOnItsOwnTime() {
        Simulator sim = new Simulator(1);
        SimClock fast = new SimClock(sim, 7, 1000); // +1000 ppm
        SimScheduler scheduler = new SimScheduler(sim, fast);
        long[] firedAt = new long[1];
        long start = fast.nowNanos();
        scheduler.schedule(1_000_000_000L, () -> firedAt[0] = fast.nowNanos());
        sim.runFor(2_000_000_000L);
        assertThat(firedAt[0] - start).isBetween(1_000_000_000L, 1_000_000_001L);
        assertThat(fast.nowNanos()).isEqualTo(7 + 2_000_000_000L + 2_000_000L);
    }

    @Test
    void lossIsRoughlyTheConfiguredRateAndPartitionsAndCrashesDropEverything() {
        Simulator sim = new Simulator(99);
        SimNetwork net = new SimNetwork(sim, NetworkOptions.lan().withLoss(0.2));
        List<Object> received = new ArrayList<>();
        net.attach(A, "a:1", (from, m) -> {});
        net.attach(B, "b:1", (from, m) -> received.add(m));
        MembershipTransport fromA = net.transport(A);
        for (int i = 0; i < 10_000; i++) {
            fromA.send(B, new Ping(i, List.of()));
        }
        sim.runFor(1_000_000_000L);
        assertThat(received.size()).isBetween(7_700, 8_300);

        received.clear();
        net.setOptions(NetworkOptions.lan());
        net.cutOneWay(List.of(A), List.of(B));
        fromA.send(B, new Ping(1, List.of()));
        sim.runFor(1_000_000_000L);
        assertThat(received).isEmpty();
        net.heal();
        fromA.sendToAddress("b:1", new Ping(2, List.of()));
        sim.runFor(1_000_000_000L);
        assertThat(received).hasSize(1);

        fromA.send(B, new Ping(3, List.of()));
        net.crash(B); // in flight: lost with the process
        net.attach(B, "b:1", (from, m) -> received.add(m));
        sim.runFor(1_000_000_000L);
        assertThat(received).hasSize(1);
    }

    @Test
    void crashedSchedulersDropTheirTimers() {
        Simulator sim = new Simulator(3);
        SimScheduler scheduler = new SimScheduler(sim, new SimClock(sim, 0, 0));
        int[] runs = new int[1];
        scheduler.schedule(10, () -> runs[0]++);
        scheduler.stop();
        scheduler.schedule(10, () -> runs[0]++);
        sim.runFor(100);
        assertThat(runs[0]).isZero();
    }
}
