package io.dynakv.node;

/** Where a node is in its life; /health answers 200 only while SERVING. */
public enum NodeState {
    /** Opening storage and event loops; requests get 503. */
    STARTING,
    /** Waiting for the cluster's ring; membership answers, key requests get 503. */
    JOINING,
    /** Serving requests. */
    SERVING,
    /** Shutting down: finishing in-flight requests, new ones get 503. */
    STOPPING
}
