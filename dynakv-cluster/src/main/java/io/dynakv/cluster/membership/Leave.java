package io.dynakv.cluster.membership;

import java.util.List;

/**
 * A graceful departure: the sender tells the members it knows that it is LEFT, so they stop
 * probing it and spread the news instead of having to suspect and time it out.
 *
 * @param leaver the leaving member with status LEFT
 */
public record Leave(Member leaver, List<Member> updates) implements SwimMessage {

    public Leave {
        if (leaver.status() != MemberStatus.LEFT) {
            throw new IllegalArgumentException("a leave must say LEFT: " + leaver);
        }
        updates = List.copyOf(updates);
    }
}
