package io.dynakv.node;

/** Test access to the package-private {@link ShardRouter} constructor, for the cluster package's tests. */
public final class ShardRouters {

    private ShardRouters() {}

    /** A router for {@code size} loops with no shard registered, as while the node starts. */
    public static ShardRouter unstarted(int size) {
        return new ShardRouter(size);
    }
}
