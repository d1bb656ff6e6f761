package io.dynakv.storage;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class InMemoryStorageEngineModelTest extends StorageEngineModelCheck {

    @Override
    protected boolean crashes() {
        return true;
    }

    @Property(tries = 500)
    void behavesLikeASortedMapWithCrashesBackToTheLastSync(@ForAll("operations") List<Op> ops) {
        check(new InMemoryStorageEngine(), ops);
    }
}
