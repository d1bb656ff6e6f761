package io.dynakv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which seeds a simulation test runs: {@code -Dseed=<n>} replays exactly one; otherwise the fixed
 * seeds, topped up with fresh random ones to {@code -Dsim.seeds=<count>} when that asks for more.
 * A seed that ever fails joins the fixed list of its test.
 */
final class SimSeeds {

    private SimSeeds() {}

    static List<Long> seeds(long... fixed) {
        String replay = System.getProperty("seed");
        if (replay != null && replay.matches("-?\\d+")) {
            return List.of(Long.parseLong(replay));
        }
        List<Long> seeds = new ArrayList<>();
        for (long s : fixed) {
            seeds.add(s);
        }
        int wanted = Integer.getInteger("sim.seeds", fixed.length);
        SplittableRandom fresh = new SplittableRandom();
        while (seeds.size() < wanted) {
            seeds.add(fresh.nextLong());
        }
        return seeds.subList(0, Math.max(1, Math.min(wanted, seeds.size())));
    }

    /** Printed first by every run, so any failure can be replayed with -Dseed. */
    static void announce(long seed, String what) {
        System.out.println("SEED=" + seed + " " + what);
    }
}
