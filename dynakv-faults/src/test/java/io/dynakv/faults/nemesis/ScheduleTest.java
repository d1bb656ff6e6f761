package io.dynakv.faults.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynakv.faults.cluster.Network.Cut;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void theSameSeedGivesTheSameSchedule() {
        assertThat(Schedule.generate(42, 600_000, 5, true)).isEqualTo(Schedule.generate(42, 600_000, 5, true));
        assertThat(Schedule.generate(42, 600_000, 5, true)).isNotEqualTo(Schedule.generate(43, 600_000, 5, true));
    }

    @Test
    void faultsDoNotOverlapAndEndBeforeTheRun() {
        List<Fault> faults = Schedule.generate(7, 600_000, 5, true);
        assertThat(faults).hasSizeGreaterThan(30);
        for (int i = 1; i < faults.size(); i++) {
            Fault before = faults.get(i - 1);
            assertThat(faults.get(i).startMillis()).isGreaterThan(before.startMillis() + before.durationMillis());
        }
        Fault last = faults.get(faults.size() - 1);
        assertThat(last.startMillis() + last.durationMillis()).isLessThan(600_000);
        assertThat(faults).extracting(Fault::kind).contains(Fault.Kind.values());
    }

    /** Issue 9 item 2: clocks off by minutes, past the HLC's 60 s bound, and stepped both ways. */
    @Test
    void clockFaultsReachMinutesAndStepBothWays() {
        List<Fault> clocks = Schedule.generate(7, 3_600_000, 5, true).stream()
                .filter(f -> f.kind() == Fault.Kind.CLOCK)
                .toList();
        assertThat(clocks)
                .allMatch(f -> Math.abs(f.clockOffsetMillis()) <= 600_000)
                .allMatch(f -> Math.abs(f.clockOffsetMillis() + f.clockStepMillis()) <= 600_000)
                .anyMatch(f -> Math.abs(f.clockOffsetMillis()) > 60_000)
                .anyMatch(f -> f.clockStepMillis() > 60_000)
                .anyMatch(f -> f.clockStepMillis() < -60_000)
                .anyMatch(f -> f.clockStepMillis() == 0);
    }

    @Test
    void withoutPartitionsTheScheduleHasNone() {
        assertThat(Schedule.generate(7, 600_000, 5, false)).isNotEmpty().noneMatch(f -> f.kind()
                .isPartition());
    }

    @Test
    void partitionShapesCutTheRightLinks() {
        List<Integer> slots = List.of(3, 1, 0, 4, 2);
        assertThat(new Fault(0, Fault.Kind.ISOLATE, 1, slots, 0, 0).cuts(5))
                .hasSize(8)
                .contains(new Cut(3, 0), new Cut(0, 3));
        assertThat(new Fault(0, Fault.Kind.SPLIT, 1, slots, 0, 0).cuts(5))
                .hasSize(12)
                .doesNotContain(new Cut(3, 1), new Cut(0, 4));
        // slot 2 is the bridge: it sees both sides, which do not see each other.
        assertThat(new Fault(0, Fault.Kind.BRIDGE, 1, slots, 0, 0).cuts(5))
                .hasSize(8)
                .contains(new Cut(3, 0), new Cut(4, 1))
                .noneMatch(c -> c.from() == 2 || c.to() == 2);
        assertThat(new Fault(0, Fault.Kind.ASYMMETRIC, 1, slots, 0, 0).cuts(5))
                .hasSize(4)
                .allMatch(c -> c.from() == 3);
    }
}
