package io.mcpserver.spi.resources;

import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.content.ResourceContents;

import java.util.List;

/** A resource at a fixed URI. */
public interface Resource {

    ResourceDescriptor descriptor();

    /** Reads the current contents; usually one item whose uri is the descriptor's. */
    List<ResourceContents> read(RequestContext context) throws Exception;

    static Resource of(ResourceDescriptor descriptor, Reader reader) {
        return new Resource() {
            @Override
            public ResourceDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public List<ResourceContents> read(RequestContext context) throws Exception {
                return reader.read(context);
            }
        };
    }

    @FunctionalInterface
    interface Reader {
        List<ResourceContents> read(RequestContext context) throws Exception;
    }
}
