package io.dynakv.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Hybrid logical clock timestamps and the clock that issues them (Kulkarni et al., 2014). */
class HlcTest {

    private static final long MAX_MILLIS = (1L << 47) - 1;
    private static final long MAX_LOGICAL = (1L << Hlc.LOGICAL_BITS) - 1;
    private static final long START_MILLIS = 1_700_000_000_000L;

    // ---- Hlc ----

    @Property
    void packRoundTrips(
            @ForAll @LongRange(min = 0, max = MAX_MILLIS) long millis,
            @ForAll @LongRange(min = 0, max = MAX_LOGICAL) long logical) {
        long hlc = Hlc.pack(millis, logical);
        assertThat(hlc).isNotNegative();
        assertThat(Hlc.millis(hlc)).isEqualTo(millis);
        assertThat(Hlc.logical(hlc)).isEqualTo(logical);
        assertThat(Hlc.toString(hlc)).isEqualTo(millis + "." + logical);
    }

    @Property
    void packedOrderIsMillisThenLogical(
            @ForAll @LongRange(min = 0, max = MAX_MILLIS) long m1,
            @ForAll @LongRange(min = 0, max = MAX_LOGICAL) long l1,
            @ForAll @LongRange(min = 0, max = MAX_MILLIS) long m2,
            @ForAll @LongRange(min = 0, max = MAX_LOGICAL) long l2) {
        int expected = m1 != m2 ? Long.compare(m1, m2) : Long.compare(l1, l2);
        assertThat(Integer.signum(Long.compare(Hlc.pack(m1, l1), Hlc.pack(m2, l2))))
                .isEqualTo(expected);
    }

    @Example
    void packRejectsOutOfRangeParts() {
        assertThatThrownBy(() -> Hlc.pack(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hlc.pack(MAX_MILLIS + 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hlc.pack(Long.MAX_VALUE, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hlc.pack(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hlc.pack(0, MAX_LOGICAL + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Hlc.pack(MAX_MILLIS, MAX_LOGICAL)).isEqualTo(Long.MAX_VALUE);
        assertThat(Hlc.pack(0, 0)).isZero();
    }

    @Example
    void successorRollsAFullCounterIntoTheNextMillisecond() {
        assertThat(Hlc.successor(Hlc.pack(5, 7))).isEqualTo(Hlc.pack(5, 8));
        assertThat(Hlc.successor(Hlc.pack(5, MAX_LOGICAL))).isEqualTo(Hlc.pack(6, 0));
        assertThatThrownBy(() -> Hlc.successor(Long.MAX_VALUE)).isInstanceOf(IllegalStateException.class);
    }

    // ---- HlcClock ----

    /** Wall time jumps by the given steps (backwards, standing still or forwards) between calls. */
    @Property
    void timestampsStrictlyIncreaseWhateverWallTimeDoes(
            @ForAll @Size(max = 200) List<@IntRange(min = -5_000, max = 5_000) Integer> wallSteps) {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long previous = clock.now();
        long highestWall = START_MILLIS;
        for (int step : wallSteps) {
            wall.advanceMillis(step);
            highestWall = Math.max(highestWall, wall.wallMillis());
            long t = clock.now();
            assertThat(t).isGreaterThan(previous);
            // Never behind wall time, never ahead of the highest wall time seen (few events per ms).
            assertThat(Hlc.millis(t)).isBetween(wall.wallMillis(), highestWall);
            assertThat(clock.peek()).isEqualTo(t);
            previous = t;
        }
    }

    @Example
    void standingWallTimeCountsInTheLogicalPart() {
        HlcClock clock = new HlcClock(new ManualClock(START_MILLIS));
        assertThat(clock.now()).isEqualTo(Hlc.pack(START_MILLIS, 0));
        assertThat(clock.now()).isEqualTo(Hlc.pack(START_MILLIS, 1));
        assertThat(clock.now()).isEqualTo(Hlc.pack(START_MILLIS, 2));
    }

    @Example
    void moreThanACounterFullInOneMillisecondBorrowsTheNext() {
        HlcClock clock = new HlcClock(new ManualClock(START_MILLIS));
        long previous = -1;
        for (int i = 0; i < 70_000; i++) {
            long t = clock.now();
            assertThat(t).isGreaterThan(previous);
            previous = t;
        }
        assertThat(Hlc.millis(previous)).isEqualTo(START_MILLIS + 1);
        assertThat(Hlc.logical(previous)).isEqualTo(70_000 - 65_536 - 1);
    }

    @Property
    void afterObservingARemoteTheNextTimestampExceedsIt(
            @ForAll @LongRange(min = -3_600_000, max = HlcClock.DEFAULT_MAX_DRIFT_MILLIS) long remoteOffsetMillis,
            @ForAll @LongRange(min = 0, max = MAX_LOGICAL) long remoteLogical,
            @ForAll @IntRange(min = 0, max = 3) int localEventsBefore) {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        for (int i = 0; i < localEventsBefore; i++) {
            clock.now();
        }
        long before = clock.peek();
        long remote = Hlc.pack(START_MILLIS + remoteOffsetMillis, remoteLogical);
        clock.observe(remote);
        assertThat(clock.peek()).isEqualTo(Math.max(before, remote));
        long t = clock.now();
        assertThat(t).isGreaterThan(remote).isGreaterThan(before);
        assertThat(clock.ignoredObservations()).isZero();
    }

    /** Remote timestamps include client-supplied ones: garbage must not break the clock. */
    @Property
    void timestampsTooFarAheadAreIgnored(
            @ForAll @LongRange(min = HlcClock.DEFAULT_MAX_DRIFT_MILLIS + 1, max = Long.MAX_VALUE) long aheadMillis) {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long first = clock.now();
        long remote =
                aheadMillis > MAX_MILLIS - START_MILLIS ? Long.MAX_VALUE : Hlc.pack(START_MILLIS + aheadMillis, 0);
        clock.observe(remote);
        assertThat(clock.peek()).isEqualTo(first);
        assertThat(clock.ignoredObservations()).isEqualTo(1);
        long next = clock.now();
        assertThat(next).isGreaterThan(first);
        assertThat(Hlc.millis(next)).isEqualTo(START_MILLIS);
    }

    /**
     * Found by the clock simulation (seed 26) once dots came from a node-wide counter: two writes of
     * one key through a coordinator whose copy lagged, both after the same cause ten minutes ahead,
     * got the same stamp; the later absorbed the earlier's dot, so the pair had no order replicas
     * agreed on. Every stamp of a node exceeds every earlier one, past the clock too.
     */
    @Example
    void twoStampsAfterTheSameFarAheadCauseDiffer() {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long cause = Hlc.pack(START_MILLIS + 10 * 60_000, 1);
        long first = clock.stampAfter(cause, 0);
        long second = clock.stampAfter(cause, 0);
        assertThat(first).isGreaterThan(cause);
        assertThat(second).isGreaterThan(first);
        assertThat(clock.stampAfter(0, 0)).as("a later stamp with no cause").isGreaterThan(second);
        assertThat(Hlc.millis(clock.now()))
                .as("the clock itself did not follow")
                .isEqualTo(START_MILLIS);
    }

    @Example
    void garbageTimestampsDoNotOverflowTheClock() {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long first = clock.now();
        clock.observe(Long.MAX_VALUE);
        clock.observe(-1);
        clock.observe(Long.MIN_VALUE);
        long second = clock.now();
        assertThat(second).isGreaterThan(first);
        assertThat(Hlc.millis(second)).isEqualTo(START_MILLIS);
    }

    @Example
    void theDriftBoundIsInclusiveAndConfigurable() {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall, 10);
        clock.observe(Hlc.pack(START_MILLIS + 10, 5));
        assertThat(clock.peek()).isEqualTo(Hlc.pack(START_MILLIS + 10, 5));
        clock.observe(Hlc.pack(START_MILLIS + 11, 0));
        assertThat(clock.peek()).isEqualTo(Hlc.pack(START_MILLIS + 10, 5));
        assertThat(clock.now()).isEqualTo(Hlc.pack(START_MILLIS + 10, 6));
        assertThatThrownBy(() -> new HlcClock(wall, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void observingThePastChangesNothing() {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long t = clock.now();
        clock.observe(Hlc.pack(START_MILLIS - 1000, 3));
        assertThat(clock.peek()).isEqualTo(t);
        wall.advanceMillis(1);
        assertThat(clock.now()).isEqualTo(Hlc.pack(START_MILLIS + 1, 0));
    }

    // ---- stampAfter: a version's HLC exceeds its causes', however far ahead their clocks ran ----

    /** Issue 9 item 2: a cause stamped by a clock minutes ahead is above the drift bound. */
    @Property
    void stampAfterExceedsACauseHoweverFarAheadItsClockRan(
            @ForAll @LongRange(min = -3_600_000, max = 3_600_000) long causeOffsetMillis,
            @ForAll @LongRange(min = 0, max = MAX_LOGICAL) long causeLogical,
            @ForAll boolean causeInContext) {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long before = clock.now();
        long cause = Hlc.pack(START_MILLIS + causeOffsetMillis, causeLogical);
        long stamp = causeInContext ? clock.stampAfter(0, cause) : clock.stampAfter(cause, 0);
        assertThat(stamp).isGreaterThan(cause).isGreaterThan(before);
        if (causeOffsetMillis > HlcClock.DEFAULT_MAX_DRIFT_MILLIS) {
            // The node's clock itself does not jump ahead: only this one version does.
            assertThat(clock.peek()).isLessThan(cause);
            assertThat(Hlc.millis(clock.now())).isEqualTo(START_MILLIS);
        }
    }

    @Example
    void aStoredVersionFarAheadIsFollowedHoweverFar() {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long yearAhead = Hlc.pack(START_MILLIS + 365L * 24 * 3_600_000, 7);
        assertThat(clock.stampAfter(yearAhead, 0)).isEqualTo(yearAhead + 1);
    }

    /** Causal contexts come from clients and are not signed: a forged one must not poison a key. */
    @Property
    void aForgedContextIsBelievedAtMostADayAhead(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long forged) {
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long stamp = clock.stampAfter(0, forged);
        assertThat(Hlc.millis(stamp)).isLessThanOrEqualTo(START_MILLIS + HlcClock.MAX_FOLLOW_MILLIS);
        if (Hlc.millis(forged) <= START_MILLIS + HlcClock.MAX_FOLLOW_MILLIS) {
            assertThat(stamp).isGreaterThan(forged);
        }
        // The next version of the key (the forged one's successor is now stored) still has room.
        assertThat(clock.stampAfter(stamp, forged)).isGreaterThan(stamp);
    }

    /** Several event loops share the node's clock: no two of them may get the same timestamp. */
    @Example
    void concurrentCallersNeverGetTheSameTimestamp() throws InterruptedException {
        int threads = 8;
        int perThread = 20_000;
        ManualClock wall = new ManualClock(START_MILLIS);
        HlcClock clock = new HlcClock(wall);
        long[][] issued = new long[threads][perThread];
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean monotonicPerThread = new AtomicBoolean(true);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long[] mine = issued[t];
            workers.add(new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perThread; i++) {
                    mine[i] = clock.now();
                    if (i > 0 && mine[i] <= mine[i - 1]) {
                        monotonicPerThread.set(false);
                    }
                    if (i % 1000 == 0) {
                        clock.observe(Hlc.pack(wall.wallMillis() + 1, 7)); // remote traffic interleaves
                    }
                }
            }));
        }
        // Wall time wobbles backwards and forwards while they run.
        Thread wobbler = new Thread(() -> {
            awaitQuietly(start);
            for (int i = 0; i < 2_000; i++) {
                wall.advanceMillis(i % 2 == 0 ? 3 : -2);
            }
        });
        workers.forEach(Thread::start);
        wobbler.start();
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(w.isAlive()).isFalse();
        }
        wobbler.join(TimeUnit.SECONDS.toMillis(30));

        long[] all =
                Arrays.stream(issued).flatMapToLong(Arrays::stream).sorted().toArray();
        assertThat(all).hasSize(threads * perThread);
        for (int i = 1; i < all.length; i++) {
            assertThat(all[i])
                    .as("timestamp %s issued twice", Hlc.toString(all[i]))
                    .isNotEqualTo(all[i - 1]);
        }
        assertThat(monotonicPerThread).isTrue();
        assertThat(clock.peek()).isEqualTo(all[all.length - 1]);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
