package io.dynakv.faults.check;

import io.dynakv.faults.history.Op;
import java.util.concurrent.atomic.AtomicLong;

/** Hand-made history entries for the checker tests: times in microseconds, one key unless named. */
final class Ops {

    private final AtomicLong ids = new AtomicLong();

    Op write(String key, String value, long invoke, long complete) {
        return op(Op.Kind.WRITE, key, value, invoke, complete, Op.Outcome.OK);
    }

    Op unknownWrite(String key, String value, long invoke, long complete) {
        return op(Op.Kind.WRITE, key, value, invoke, complete, Op.Outcome.UNKNOWN);
    }

    Op delete(String key, long invoke, long complete) {
        return op(Op.Kind.DELETE, key, null, invoke, complete, Op.Outcome.OK);
    }

    Op unknownDelete(String key, long invoke, long complete) {
        return op(Op.Kind.DELETE, key, null, invoke, complete, Op.Outcome.UNKNOWN);
    }

    Op read(String key, String value, long invoke, long complete, Op.Outcome outcome, String fault) {
        return new Op(
                ids.incrementAndGet(), 0, Op.Kind.READ, key, value, invoke, complete, outcome, null, "n1", fault, null);
    }

    private Op op(Op.Kind kind, String key, String value, long invoke, long complete, Op.Outcome outcome) {
        return new Op(
                ids.incrementAndGet(), 0, kind, key, value, invoke, complete, outcome, "v" + value, "n1", "none", null);
    }
}
