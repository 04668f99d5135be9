package io.mcpserver.server.resume;

/** The store of one process holds to the contract. */
class InMemoryResumeStoreTest extends ResumeStoreContract {

    @Override
    ResumeStore store() {
        return ResumeStore.inMemory();
    }
}
