package io.dynakv.common;

/** How two version vectors relate in the happened-before order (Dynamo paper, section 4.4). */
public enum Causality {
    /** This version happened before the other: the other supersedes it. */
    BEFORE,
    /** This version happened after the other: it supersedes the other. */
    AFTER,
    /** Same causal history: the same version (or a duplicate delivery of it). */
    EQUAL,
    /** Neither saw the other: a real conflict, resolved deterministically and counted. */
    CONCURRENT
}
