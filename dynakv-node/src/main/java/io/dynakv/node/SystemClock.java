package io.dynakv.node;

import io.dynakv.common.Clock;

/** The real clocks. The only place protocol code's time comes from in a running node. */
public final class SystemClock implements Clock {

    @Override
    public long nowNanos() {
        return System.nanoTime();
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }
}
