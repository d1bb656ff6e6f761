package io.dynakv.common;

import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves by hand; wall time may go backwards, as a stepped system clock does. */
final class ManualClock implements Clock {

    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong wallMillis;

    ManualClock(long wallMillis) {
        this.wallMillis = new AtomicLong(wallMillis);
    }

    @Override
    public long nowNanos() {
        return nanos.get();
    }

    @Override
    public long wallMillis() {
        return wallMillis.get();
    }

    void setWallMillis(long millis) {
        wallMillis.set(millis);
    }

    void advanceMillis(long millis) {
        wallMillis.addAndGet(millis);
        nanos.addAndGet(millis * 1_000_000);
    }
}
