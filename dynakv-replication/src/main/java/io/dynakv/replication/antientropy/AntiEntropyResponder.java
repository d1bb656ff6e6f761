package io.dynakv.replication.antientropy;

import io.dynakv.common.NodeId;
import io.dynakv.common.message.Transport;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.BucketRequest;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesReply;
import io.dynakv.replication.antientropy.AntiEntropyMessage.HashesRequest;
import io.dynakv.storage.PartitionRecord;
import io.dynakv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer's side of an anti-entropy round (Dynamo paper, section 4.7): answers an initiator's
 * {@link AntiEntropySession} from its own tree and storage. It holds no round state beyond a small
 * cache of trees, one per (initiator, session), so that every level of one walk is answered from
 * the same snapshot; the oldest is dropped past {@link #MAX_CACHED_TREES}. A request that does not
 * fit (wrong partition shape, level or index out of range) is dropped: the initiator's timeout
 * covers it like a lost message.
 */
public final class AntiEntropyResponder {

    /** Trees kept for rounds in progress; a bound, so many initiators cannot exhaust memory. */
    public static final int MAX_CACHED_TREES = 4;

    private final StorageEngine storage;
    private final Transport transport;
    private final int pageSize;
    private final Map<SessionKey, MerkleTree> trees = new LinkedHashMap<>();

    public AntiEntropyResponder(StorageEngine storage, Transport transport, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive: " + pageSize);
        }
        this.storage = storage;
        this.transport = transport;
        this.pageSize = pageSize;
    }

    /** Answers a request from {@code from}; replies and anything unexpected are ignored. */
    public void onMessage(NodeId from, AntiEntropyMessage message) {
        if (message instanceof HashesRequest r) {
            onHashes(from, r);
        } else if (message instanceof BucketRequest r) {
            onBucket(from, r);
        }
    }

    private void onHashes(NodeId from, HashesRequest request) {
        if (!validShape(request.leafCount()) || request.level() < 0) {
            return;
        }
        MerkleTree tree = treeFor(new SessionKey(from, request.sessionId()), request.partition(), request.leafCount());
        if (request.level() > tree.depth()) {
            return;
        }
        List<Long> hashes = new ArrayList<>(request.indexes().size());
        for (int index : request.indexes()) {
            if (index < 0 || index >= 1 << request.level()) {
                return;
            }
            hashes.add(tree.nodeHash(request.level(), index));
        }
        transport.send(from, new HashesReply(request.sessionId(), request.level(), request.indexes(), hashes));
    }

    private void onBucket(NodeId from, BucketRequest request) {
        if (!validShape(request.leafCount()) || request.bucket() < 0 || request.bucket() >= request.leafCount()) {
            return;
        }
        List<PartitionRecord> records = AntiEntropySession.bucketRecords(
                storage, request.partition(), request.leafCount(), pageSize, request.bucket());
        transport.send(from, new BucketReply(request.sessionId(), request.bucket(), records));
    }

    private MerkleTree treeFor(SessionKey key, int partition, int leafCount) {
        MerkleTree tree = trees.get(key);
        if (tree == null || tree.partition() != partition || tree.leafCount() != leafCount) {
            tree = MerkleTree.build(storage, partition, leafCount, pageSize);
            trees.remove(key);
            trees.put(key, tree);
            while (trees.size() > MAX_CACHED_TREES) {
                trees.remove(trees.keySet().iterator().next());
            }
        }
        return tree;
    }

    private static boolean validShape(int leafCount) {
        return leafCount >= 1 && leafCount <= MerkleTree.MAX_LEAF_COUNT && Integer.bitCount(leafCount) == 1;
    }

    private record SessionKey(NodeId initiator, long sessionId) {}
}
