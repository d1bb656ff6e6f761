package io.dynakv.replication.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The token bucket refills from the clock, caps at the burst, and waits out debt exactly. */
class ByteBudgetTest {

    @Test
    void debtWaitsForTheRefillAndBurstCaps() {
        VirtualLoop loop = new VirtualLoop();
        ByteBudget budget = new ByteBudget(loop, 1_000, 500);

        assertThat(budget.delayNanos()).isZero();
        budget.take(1_500); // overdraw by 1000 bytes: one second at 1000 B/s
        assertThat(budget.tokens()).isEqualTo(-1_000);
        assertThat(budget.delayNanos()).isEqualTo(1_000_000_000L);

        loop.schedule(999_999_999L, () -> {});
        loop.run();
        assertThat(budget.delayNanos()).isEqualTo(1_000_000L); // 1 byte left to earn, rounded up
        loop.schedule(1L, () -> {});
        loop.run();
        assertThat(budget.delayNanos()).isZero();
        assertThat(budget.tokens()).isZero();

        loop.schedule(60_000_000_000L, () -> {});
        loop.run();
        assertThat(budget.tokens()).isEqualTo(500);
    }

    @Test
    void fractionsOfABytePerTickAreNotLost() {
        VirtualLoop loop = new VirtualLoop();
        ByteBudget budget = new ByteBudget(loop, 3, 10);
        budget.take(10);
        for (int i = 0; i < 3_000; i++) {
            loop.schedule(1_000_000L, () -> {}); // 1 ms steps: 0.003 bytes each
            loop.run();
            budget.tokens();
        }
        assertThat(budget.tokens()).isEqualTo(9); // 3 seconds at 3 B/s
    }
}
